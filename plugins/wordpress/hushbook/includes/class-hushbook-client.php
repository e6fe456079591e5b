<?php
/**
 * Requests to the Hushbook service's public booking API as a trusted forwarder.
 *
 * @package Hushbook
 */

defined( 'ABSPATH' ) || exit;

/**
 * One request to /v1/public/…, with the integration key and the visitor's address.
 */
final class Hushbook_Client {

	/**
	 * The service URL of a public route.
	 *
	 * @param string $route catalog | challenge | offers | bookings | confirm.
	 * @return string
	 */
	public static function url( $route ) {
		$settings = Hushbook_Settings::all();
		$base     = $settings['service_url'] . '/v1/public/';
		if ( 'confirm' === $route ) {
			return $base . 'bookings/confirm';
		}
		return $base . rawurlencode( $settings['tenant_slug'] ) . '/' . $route;
	}

	/**
	 * Calls the service. Nothing of the request or the answer is stored or logged.
	 *
	 * @param string      $route      catalog | challenge | offers | bookings | confirm.
	 * @param string|null $json       Request body (JSON) for a POST; null for a GET.
	 * @param string      $visitor_ip The visitor's address (validated).
	 * @param string      $language   Accept-Language to pass on ('' for none).
	 * @param int         $timeout    Seconds.
	 * @return array|WP_Error The wp_remote_* answer.
	 */
	public static function request( $route, $json, $visitor_ip, $language = '', $timeout = 10 ) {
		$headers = array(
			'Accept'              => 'application/json',
			'Authorization'       => 'Bearer ' . Hushbook_Settings::integration_key(),
			'Hushbook-Visitor-IP' => $visitor_ip,
		);
		if ( '' !== $language ) {
			$headers['Accept-Language'] = $language;
		}
		$args = array(
			'timeout'             => $timeout,
			'redirection'         => 0, // Never carry the key to another address.
			'headers'             => $headers,
			'user-agent'          => 'Hushbook-WordPress/' . HUSHBOOK_VERSION,
			'limit_response_size' => 1048576,
		);
		// wp_remote_* rather than wp_safe_remote_*: the admin may run the service on
		// this machine or a private network, which the safe variants refuse.
		if ( null === $json ) {
			return wp_remote_get( self::url( $route ), $args );
		}
		$args['headers']['Content-Type'] = 'application/json';
		$args['body']                    = $json;
		return wp_remote_post( self::url( $route ), $args );
	}

	/**
	 * A GET of the service for the admin's status page: no visitor behind it.
	 *
	 * @param string $path     Below the service URL, e.g. /v1/auth/me.
	 * @param bool   $with_key Send the integration key.
	 * @param int    $timeout  Seconds.
	 * @return array|WP_Error The wp_remote_get answer.
	 */
	public static function get( $path, $with_key, $timeout = 5 ) {
		$headers = array( 'Accept' => 'application/json' );
		if ( $with_key ) {
			$headers['Authorization'] = 'Bearer ' . Hushbook_Settings::integration_key();
		}
		return wp_remote_get(
			Hushbook_Settings::all()['service_url'] . $path,
			array(
				'timeout'             => $timeout,
				'redirection'         => 0, // Never carry the key to another address.
				'headers'             => $headers,
				'user-agent'          => 'Hushbook-WordPress/' . HUSHBOOK_VERSION,
				'limit_response_size' => 1048576,
			)
		);
	}

	/**
	 * The visitor's address from the connection, or '' when it is not an IP address.
	 *
	 * Behind a reverse proxy REMOTE_ADDR is the proxy's; a site that knows its proxy
	 * can return the real address with the filter `hushbook_visitor_ip`.
	 *
	 * @return string
	 */
	public static function visitor_ip() {
		$remote = isset( $_SERVER['REMOTE_ADDR'] ) ? sanitize_text_field( wp_unslash( $_SERVER['REMOTE_ADDR'] ) ) : '';
		/**
		 * Filters the visitor address sent to the service (default: REMOTE_ADDR).
		 *
		 * @param string $remote The connection's address.
		 */
		$ip = (string) apply_filters( 'hushbook_visitor_ip', $remote );
		return false === filter_var( $ip, FILTER_VALIDATE_IP ) ? '' : $ip;
	}

	/**
	 * An Accept-Language value safe to pass on, or ''.
	 *
	 * @param string|null $value From the browser.
	 * @return string
	 */
	public static function clean_language( $value ) {
		$value = trim( (string) $value );
		return ( strlen( $value ) <= 200 && preg_match( '/^[A-Za-z0-9*,;=. -]+$/', $value ) ) ? $value : '';
	}
}
