<?php
/**
 * REST routes hushbook/v1/…: the widget's requests, forwarded to the service.
 *
 * The integration key stays on the server; the visitor's session token travels in
 * the JSON body unchanged. WordPress stores nothing of it: no options, transients,
 * post meta or logs with bodies or anything about the visitor.
 *
 * @package Hushbook
 */

defined( 'ABSPATH' ) || exit;

/**
 * The proxy.
 */
final class Hushbook_Proxy {

	const NAMESPACE_V1 = 'hushbook/v1';
	const NONCE_ACTION = 'hushbook_public';
	const MAX_BODY     = 16384;

	/**
	 * Route => the top-level keys the service's request schema knows
	 * (service/hushbook_service/resources/public.py); null for a GET.
	 */
	const ROUTES = array(
		'catalog'   => null,
		'challenge' => array( 'session' ),
		'offers'    => array( 'session', 'pow', 'service_id', 'staff_id', 'date_from', 'date_to', 'weekdays', 'parts', 'time_from', 'time_to' ),
		'bookings'  => array( 'session', 'pow', 'offer', 'profile', 'sealed_profile', 'client_key', 'key_version', 'contact', 'consent', 'channel', 'locale', 'website' ),
		'confirm'   => array( 'token', 'booking', 'code' ),
	);

	/**
	 * On rest_api_init.
	 */
	public static function register_routes() {
		foreach ( self::ROUTES as $route => $keys ) {
			register_rest_route(
				self::NAMESPACE_V1,
				'/' . $route,
				array(
					'methods'             => null === $keys ? WP_REST_Server::READABLE : WP_REST_Server::CREATABLE,
					'callback'            => function ( WP_REST_Request $request ) use ( $route ) {
						return self::forward( $route, $request );
					},
					'permission_callback' => array( __CLASS__, 'check_nonce' ),
				)
			);
		}
	}

	/**
	 * Only pages of this site that embed the widget carry the nonce.
	 *
	 * @param WP_REST_Request $request The request.
	 * @return true|WP_Error
	 */
	public static function check_nonce( WP_REST_Request $request ) {
		$nonce = (string) $request->get_header( 'X-Hushbook-Nonce' );
		if ( '' !== $nonce && wp_verify_nonce( $nonce, self::NONCE_ACTION ) ) {
			return true;
		}
		return new WP_Error(
			'hushbook_invalid_nonce',
			__( 'This booking form has expired. Please reload the page and try again.', 'hushbook' ),
			array( 'status' => 403 )
		);
	}

	/**
	 * Forwards one request and answers with the service's status and JSON.
	 *
	 * @param string          $route   Key of ROUTES.
	 * @param WP_REST_Request $request The widget's request.
	 * @return WP_REST_Response
	 */
	public static function forward( $route, WP_REST_Request $request ) {
		if ( ! Hushbook_Settings::is_configured() ) {
			return self::problem( 503, 'not_configured', __( 'Online booking is not set up yet. Please contact the salon directly.', 'hushbook' ) );
		}
		$json = null;
		if ( null !== self::ROUTES[ $route ] ) {
			$json = self::filter_body( $request->get_body(), self::ROUTES[ $route ] );
			if ( is_int( $json ) ) {
				return 413 === $json
					? self::problem( 413, 'too_large', __( 'The request is too large.', 'hushbook' ) )
					: self::problem( 400, 'bad_request', __( 'The request could not be read. Please reload the page and try again.', 'hushbook' ) );
			}
		}
		$ip = Hushbook_Client::visitor_ip();
		if ( '' === $ip ) {
			return self::problem( 400, 'no_visitor_address', __( 'Your connection could not be identified. Please try again later.', 'hushbook' ) );
		}
		$answer = Hushbook_Client::request(
			$route,
			$json,
			$ip,
			Hushbook_Client::clean_language( $request->get_header( 'Accept-Language' ) ),
			'bookings' === $route ? 20 : 10
		);
		if ( is_wp_error( $answer ) ) {
			return self::problem( 503, 'service_unavailable', __( 'The booking service cannot be reached right now. Please try again in a few minutes.', 'hushbook' ) );
		}
		$status = (int) wp_remote_retrieve_response_code( $answer );
		$body   = (string) wp_remote_retrieve_body( $answer );
		$data   = json_decode( $body ); // Objects stay objects: {} is passed on as {}.
		if ( $status < 100 || '' === trim( $body ) || JSON_ERROR_NONE !== json_last_error() ) {
			return self::problem( 502, 'bad_gateway', __( 'The booking service gave an unexpected answer. Please try again in a few minutes.', 'hushbook' ) );
		}
		if ( 401 === $status || ( 403 === $status && empty( $data->reason ) ) ) {
			// Only this site's integration key is authenticated on public routes: a
			// wrong, revoked or foreign key is the site's problem, not the visitor's.
			return self::problem( 503, 'not_configured', __( 'Online booking is not set up yet. Please contact the salon directly.', 'hushbook' ) );
		}
		$response = new WP_REST_Response( $data, $status );
		$response->header( 'Cache-Control', 'no-store' );
		$retry = wp_remote_retrieve_header( $answer, 'retry-after' );
		if ( is_string( $retry ) && preg_match( '/^[0-9A-Za-z ,:]{1,64}$/', $retry ) ) {
			$response->header( 'Retry-After', $retry );
		}
		return $response;
	}

	/**
	 * The request body as JSON holding only the keys the service knows for the route.
	 *
	 * Values pass unchanged (the service validates them; a profile arrives sealed).
	 *
	 * @param string   $body    Raw request body.
	 * @param string[] $allowed Top-level keys to keep.
	 * @return string|int JSON, or 413 (too large) / 400 (not a JSON object).
	 */
	public static function filter_body( $body, array $allowed ) {
		if ( strlen( $body ) > self::MAX_BODY ) {
			return 413;
		}
		$data = json_decode( '' === trim( $body ) ? '{}' : $body );
		if ( ! ( $data instanceof stdClass ) ) {
			return 400;
		}
		$kept = new stdClass();
		foreach ( $allowed as $key ) {
			if ( property_exists( $data, $key ) ) {
				$kept->$key = $data->$key;
			}
		}
		$json = wp_json_encode( $kept, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE );
		return false === $json ? 400 : $json;
	}

	/**
	 * An error answer shaped like the service's problem documents.
	 *
	 * @param int    $status  HTTP status.
	 * @param string $reason  Machine-readable reason.
	 * @param string $message Translated, friendly text.
	 * @return WP_REST_Response
	 */
	private static function problem( $status, $reason, $message ) {
		$response = new WP_REST_Response(
			array(
				'code'    => $status,
				'reason'  => $reason,
				'message' => $message,
			),
			$status
		);
		$response->header( 'Cache-Control', 'no-store' );
		return $response;
	}
}
