<?php
/**
 * "Test connection" on the settings page (admins only; called by Hushbook_Admin).
 *
 * @package Hushbook
 */

defined( 'ABSPATH' ) || exit;

/**
 * Checks the saved settings against the service and says what it found.
 */
final class Hushbook_Connection_Test {

	/**
	 * Runs the checks.
	 *
	 * 1. GET catalog: the service answers, knows the salon; its name and stealth mode.
	 * 2. POST challenge with the key, forwarding the admin's own address: the key is
	 *    accepted unless the service answers 401 (unknown key) or 403 (other salon, or
	 *    no scope public:forward). This starts a throw-away visitor session, nothing more.
	 *
	 * @return array<int, array{ok: bool, text: string}> Translated plain-text lines.
	 */
	public static function run() {
		$settings = Hushbook_Settings::all();
		$missing  = array();
		if ( '' === $settings['service_url'] ) {
			$missing[] = self::line( false, __( 'The service URL is missing.', 'hushbook' ) );
		}
		if ( '' === $settings['tenant_slug'] ) {
			$missing[] = self::line( false, __( 'The salon slug is missing.', 'hushbook' ) );
		}
		if ( ! Hushbook_Settings::has_key() ) {
			$missing[] = self::line( false, __( 'The integration key is missing.', 'hushbook' ) );
		}
		if ( $missing ) {
			$missing[] = self::line( false, __( 'Save the settings first, then test again.', 'hushbook' ) );
			return $missing;
		}
		$ip = Hushbook_Client::visitor_ip();
		if ( '' === $ip ) {
			return array( self::line( false, __( 'Your own address could not be determined, so the connection was not tested.', 'hushbook' ) ) );
		}

		$lines   = array();
		$catalog = Hushbook_Client::request( 'catalog', null, $ip, str_replace( '_', '-', get_user_locale() ) );
		if ( is_wp_error( $catalog ) ) {
			/* translators: %s: the technical error, e.g. "cURL error 7: Failed to connect" */
			return array( self::line( false, sprintf( __( 'The service cannot be reached: %s', 'hushbook' ), $catalog->get_error_message() ) ) );
		}
		$status = (int) wp_remote_retrieve_response_code( $catalog );
		$data   = json_decode( (string) wp_remote_retrieve_body( $catalog ), true );
		if ( 404 === $status && is_array( $data ) ) {
			/* translators: %s: the salon slug */
			return array( self::line( false, sprintf( __( 'The service does not know a salon "%s". Check the slug.', 'hushbook' ), $settings['tenant_slug'] ) ) );
		}
		if ( 200 !== $status ) {
			/* translators: %d: an HTTP status code such as 500 */
			return array( self::line( false, sprintf( __( 'The service answered with HTTP status %d. Check the service URL.', 'hushbook' ), $status ) ) );
		}
		if ( ! is_array( $data ) || ! isset( $data['name'] ) || ! is_string( $data['name'] ) ) {
			return array( self::line( false, __( 'Something answers at this address, but not a Hushbook service. Check the service URL.', 'hushbook' ) ) );
		}
		/* translators: %s: the salon's name */
		$lines[] = self::line( true, sprintf( __( 'Connected to the salon "%s".', 'hushbook' ), $data['name'] ) );
		$lines[] = empty( $data['stealth_mode'] )
			? self::line( true, __( 'Stealth mode is off: visitors get the earliest fitting times, without rate limits or security checks.', 'hushbook' ) )
			: self::line( true, __( 'Stealth mode is on.', 'hushbook' ) );
		// What the widget needs before it can take a booking (it says "not available" otherwise).
		if ( empty( $data['public_key'] ) ) {
			$lines[] = self::line( false, __( 'The salon has no encryption key yet: the owner must set up the vault in Hushbook before customers can book.', 'hushbook' ) );
		}
		if ( empty( $data['services'] ) ) {
			$lines[] = self::line( false, __( 'No service can be booked online yet: add a service with a team member who works on it.', 'hushbook' ) );
		}
		if ( empty( $data['privacy_notices'] ) ) {
			$lines[] = self::line( false, __( 'The salon has no privacy notice yet: customers cannot give their consent, so they cannot book.', 'hushbook' ) );
		}

		$challenge = Hushbook_Client::request( 'challenge', '{}', $ip, str_replace( '_', '-', get_user_locale() ) );
		if ( is_wp_error( $challenge ) ) {
			/* translators: %s: the technical error */
			$lines[] = self::line( false, sprintf( __( 'The service cannot be reached: %s', 'hushbook' ), $challenge->get_error_message() ) );
			return $lines;
		}
		$status = (int) wp_remote_retrieve_response_code( $challenge );
		if ( 401 === $status ) {
			$lines[] = self::line( false, __( 'The service does not accept the integration key. Check it, or create a new one.', 'hushbook' ) );
		} elseif ( 403 === $status ) {
			$lines[] = self::line( false, __( 'The integration key belongs to another salon or lacks the scope public:forward.', 'hushbook' ) );
		} elseif ( ( $status >= 200 && $status < 300 ) || 429 === $status ) {
			$lines[] = self::line( true, __( 'The integration key is accepted: visitors are counted by their own address.', 'hushbook' ) );
		} else {
			/* translators: %d: an HTTP status code */
			$lines[] = self::line( false, sprintf( __( 'Testing the integration key gave HTTP status %d.', 'hushbook' ), $status ) );
		}
		return $lines;
	}

	/**
	 * One result line.
	 *
	 * @param bool   $ok   Good news.
	 * @param string $text Translated text.
	 * @return array{ok: bool, text: string}
	 */
	private static function line( $ok, $text ) {
		return array(
			'ok'   => $ok,
			'text' => $text,
		);
	}
}
