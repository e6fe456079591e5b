<?php
/**
 * The state of the connection, for the admin page Hushbook (admins only).
 *
 * @package Hushbook
 */

defined( 'ABSPATH' ) || exit;

/**
 * Asks the service, from this server, whether the booking form can work.
 *
 * Two GET requests, nothing stored:
 * 1. /v1/public/{slug}/catalog (no key): the service answers, knows the salon,
 *    and the salon has what a booking needs (services, public key, privacy notice);
 * 2. /v1/auth/me with the integration key: the key is accepted, belongs to this
 *    salon (tenant_id as in the catalog) and carries the scope public:forward.
 */
final class Hushbook_Status {

	const SCOPE = 'public:forward';

	/**
	 * Checks the saved settings against the service.
	 *
	 * @return array{state: string, salon: string, details: string[]} state is one of
	 *     incomplete | unreachable | not_found | key_rejected | key_scope | key_unchecked
	 *     | not_bookable | connected; details are translated plain-text lines.
	 */
	public static function check() {
		$settings = Hushbook_Settings::all();
		$missing  = array();
		if ( '' === $settings['service_url'] ) {
			$missing[] = __( 'The service URL is missing.', 'hushbook' );
		}
		if ( '' === $settings['tenant_slug'] ) {
			$missing[] = __( 'The salon slug is missing.', 'hushbook' );
		}
		if ( ! Hushbook_Settings::has_key() ) {
			$missing[] = __( 'The integration key is missing.', 'hushbook' );
		}
		if ( $missing ) {
			return self::result( 'incomplete', '', $missing );
		}

		$catalog = Hushbook_Client::get( '/v1/public/' . rawurlencode( $settings['tenant_slug'] ) . '/catalog', false );
		if ( is_wp_error( $catalog ) ) {
			return self::result( 'unreachable', '', array( $catalog->get_error_message() ) );
		}
		$status = (int) wp_remote_retrieve_response_code( $catalog );
		$data   = json_decode( (string) wp_remote_retrieve_body( $catalog ), true );
		if ( 404 === $status && is_array( $data ) ) {
			return self::result( 'not_found' );
		}
		if ( 200 !== $status ) {
			/* translators: %d: an HTTP status code such as 500 */
			return self::result( 'unreachable', '', array( sprintf( __( 'The service answered with HTTP status %d. Check the service URL.', 'hushbook' ), $status ) ) );
		}
		if ( ! is_array( $data ) || ! isset( $data['name'] ) || ! is_string( $data['name'] ) ) {
			return self::result( 'unreachable', '', array( __( 'Something answers at this address, but not a Hushbook service. Check the service URL.', 'hushbook' ) ) );
		}
		$salon = $data['name'];

		$me = Hushbook_Client::get( '/v1/auth/me', true );
		if ( is_wp_error( $me ) ) {
			return self::result( 'unreachable', $salon, array( $me->get_error_message() ) );
		}
		$status = (int) wp_remote_retrieve_response_code( $me );
		$who    = json_decode( (string) wp_remote_retrieve_body( $me ), true );
		if ( 401 === $status ) {
			return self::result( 'key_rejected', $salon, array( __( 'The key is wrong, revoked or expired.', 'hushbook' ) ) );
		}
		if ( 200 !== $status || ! is_array( $who ) || ! isset( $who['permissions'] ) || ! is_array( $who['permissions'] ) ) {
			/* translators: %d: an HTTP status code */
			return self::result( 'key_unchecked', $salon, array( sprintf( __( 'Testing the integration key gave HTTP status %d.', 'hushbook' ), $status ) ) );
		}
		if ( ! isset( $who['tenant_id'], $data['tenant_id'] ) || (int) $who['tenant_id'] !== (int) $data['tenant_id'] ) {
			return self::result( 'key_rejected', $salon, array( __( 'The key belongs to another salon.', 'hushbook' ) ) );
		}
		if ( ! in_array( self::SCOPE, $who['permissions'], true ) ) {
			return self::result( 'key_scope', $salon );
		}

		$gaps = array();
		if ( empty( $data['public_key'] ) ) {
			$gaps[] = __( 'The salon has no encryption key yet: the owner must set up the vault in Hushbook before customers can book.', 'hushbook' );
		}
		if ( empty( $data['services'] ) ) {
			$gaps[] = __( 'No service can be booked online yet: add a service with a team member who works on it.', 'hushbook' );
		}
		if ( empty( $data['privacy_notices'] ) ) {
			$gaps[] = __( 'The salon has no privacy notice yet: customers cannot give their consent, so they cannot book.', 'hushbook' );
		}
		return self::result( $gaps ? 'not_bookable' : 'connected', $salon, $gaps );
	}

	/**
	 * What the admin reads for a state: a short title, a sentence and the notice class.
	 *
	 * @param string $state A state from check().
	 * @param string $salon The salon's name, if the service said it.
	 * @return array{title: string, text: string, level: string} level: success | warning | error.
	 */
	public static function describe( $state, $salon ) {
		$slug = Hushbook_Settings::all()['tenant_slug'];
		switch ( $state ) {
			case 'connected':
				return self::words(
					__( 'Connected', 'hushbook' ),
					/* translators: %s: the salon's name */
					sprintf( __( 'Connected to the salon "%s". The booking form can take bookings.', 'hushbook' ), $salon ),
					'success'
				);
			case 'not_bookable':
				return self::words(
					__( 'Salon not bookable yet', 'hushbook' ),
					/* translators: %s: the salon's name */
					sprintf( __( 'Connected to the salon "%s", but customers cannot book online yet:', 'hushbook' ), $salon ),
					'warning'
				);
			case 'unreachable':
				return self::words(
					__( 'Service unreachable', 'hushbook' ),
					__( 'WordPress cannot reach the Hushbook service at the saved address. Check the service URL, or try again later.', 'hushbook' ),
					'error'
				);
			case 'not_found':
				return self::words(
					__( 'Salon not found', 'hushbook' ),
					/* translators: %s: the salon slug */
					sprintf( __( 'The service does not know a salon "%s". Check the slug.', 'hushbook' ), $slug ),
					'error'
				);
			case 'key_rejected':
				return self::words(
					__( 'Key rejected', 'hushbook' ),
					__( 'The service does not accept the integration key. Create a new key for this salon and enter it in the settings.', 'hushbook' ),
					'error'
				);
			case 'key_scope':
				return self::words(
					__( 'Key lacks public:forward', 'hushbook' ),
					__( 'The service accepts the integration key, but the key lacks the scope public:forward that the booking form needs. Create a key with only this scope.', 'hushbook' ),
					'error'
				);
			case 'key_unchecked':
				return self::words(
					__( 'Key not checked', 'hushbook' ),
					__( 'The service answers, but did not say whether it accepts the integration key.', 'hushbook' ),
					'warning'
				);
			default:
				return self::words(
					__( 'Not set up yet', 'hushbook' ),
					__( 'Enter the service URL, your salon\'s slug and an integration key in the settings.', 'hushbook' ),
					'warning'
				);
		}
	}

	/**
	 * The staff console of this salon on the service, in the admin's language.
	 *
	 * @return string '' when the service URL or the slug is missing.
	 */
	public static function console_url() {
		$settings = Hushbook_Settings::all();
		if ( '' === $settings['service_url'] || '' === $settings['tenant_slug'] ) {
			return '';
		}
		$lang = 0 === strpos( get_user_locale(), 'de' ) ? 'de' : 'en';
		return $settings['service_url'] . '/console/?salon=' . rawurlencode( $settings['tenant_slug'] ) . '&lang=' . $lang;
	}

	/**
	 * One result of check().
	 *
	 * @param string   $state   The state.
	 * @param string   $salon   The salon's name ('' when not known).
	 * @param string[] $details Plain-text lines.
	 * @return array{state: string, salon: string, details: string[]}
	 */
	private static function result( $state, $salon = '', array $details = array() ) {
		return array(
			'state'   => $state,
			'salon'   => $salon,
			'details' => $details,
		);
	}

	/**
	 * One description of describe().
	 *
	 * @param string $title Short, translated.
	 * @param string $text  A sentence, translated.
	 * @param string $level success | warning | error.
	 * @return array{title: string, text: string, level: string}
	 */
	private static function words( $title, $text, $level ) {
		return array(
			'title' => $title,
			'text'  => $text,
			'level' => $level,
		);
	}
}
