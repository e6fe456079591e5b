<?php
/**
 * The plugin's settings: one option, read defensively.
 *
 * Option name: `hushbook_settings` (an array; autoloaded). Keys:
 *
 *   service_url      string  base URL of the Hushbook service, e.g. https://book.example.org
 *                            (https, or http for development; loopback allowed; no trailing slash)
 *   tenant_slug      string  the salon's slug on that service (a-z, 0-9, dashes; 3-63 characters)
 *   integration_key  string  an integration key of that salon with the scope public:forward;
 *                            the constant HUSHBOOK_INTEGRATION_KEY in wp-config.php wins over it
 *   language         string  auto | de | en   (auto: from the site's locale)
 *   theme            string  light | dark | auto
 *   accent           string  #rrggbb
 *
 * A script sets them with, e.g.:
 *   update_option( 'hushbook_settings', array( 'service_url' => 'https://book.example.org',
 *       'tenant_slug' => 'demo', 'integration_key' => '…' ) );
 * Missing or invalid keys read as their defaults (see defaults()), so a partial array works.
 * The form's sanitising (sanitize()) runs only for the settings page, which registers it
 * on admin_init; values written by a script are checked whenever they are read (all()).
 *
 * @package Hushbook
 */

defined( 'ABSPATH' ) || exit;

/**
 * Reads, checks and (from the settings form) sanitises the option.
 */
final class Hushbook_Settings {

	const OPTION       = 'hushbook_settings';
	const KEY_CONSTANT = 'HUSHBOOK_INTEGRATION_KEY';
	const SLUG_PATTERN = '/^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$/';
	const LANGUAGES    = array( 'auto', 'de', 'en' );
	const THEMES       = array( 'auto', 'light', 'dark' );

	/**
	 * Every key with its default.
	 *
	 * @return array<string, string>
	 */
	public static function defaults() {
		return array(
			'service_url'     => '',
			'tenant_slug'     => '',
			'integration_key' => '',
			'language'        => 'auto',
			'theme'           => 'auto',
			'accent'          => '#1f5f8b',
		);
	}

	/**
	 * The stored settings, each value checked (an invalid one reads as its default).
	 *
	 * @return array<string, string>
	 */
	public static function all() {
		$stored = get_option( self::OPTION, array() );
		return self::normalize( is_array( $stored ) ? $stored : array() );
	}

	/**
	 * Checks every known key of $raw; unknown keys are dropped.
	 *
	 * @param array $raw Possibly partial or invalid settings.
	 * @return array<string, string>
	 */
	public static function normalize( array $raw ) {
		$out = self::defaults();
		$url = isset( $raw['service_url'] ) ? self::clean_url( (string) $raw['service_url'] ) : '';
		if ( '' !== $url ) {
			$out['service_url'] = $url;
		}
		$slug = isset( $raw['tenant_slug'] ) ? trim( (string) $raw['tenant_slug'] ) : '';
		if ( preg_match( self::SLUG_PATTERN, $slug ) ) {
			$out['tenant_slug'] = $slug;
		}
		$key = isset( $raw['integration_key'] ) ? self::clean_key( (string) $raw['integration_key'] ) : '';
		if ( '' !== $key ) {
			$out['integration_key'] = $key;
		}
		foreach ( array(
			'language' => self::LANGUAGES,
			'theme'    => self::THEMES,
		) as $name => $allowed ) {
			if ( isset( $raw[ $name ] ) && in_array( $raw[ $name ], $allowed, true ) ) {
				$out[ $name ] = $raw[ $name ];
			}
		}
		if ( isset( $raw['accent'] ) && preg_match( '/^#[0-9a-fA-F]{6}$/', (string) $raw['accent'] ) ) {
			$out['accent'] = strtolower( $raw['accent'] );
		}
		return $out;
	}

	/**
	 * A service base URL, or '' when it is not acceptable.
	 *
	 * Like wp_http_validate_url() but the admin may name a loopback or private
	 * host and any port (a service on the same machine during development):
	 * http or https, a host, no user name or password, no query or fragment.
	 *
	 * @param string $url What the admin typed.
	 * @return string Without a trailing slash.
	 */
	public static function clean_url( $url ) {
		$url = esc_url_raw( trim( $url ), array( 'http', 'https' ) );
		if ( '' === $url ) {
			return '';
		}
		$parts = wp_parse_url( $url );
		if ( ! is_array( $parts ) || empty( $parts['host'] ) || empty( $parts['scheme'] )
			|| isset( $parts['user'] ) || isset( $parts['pass'] )
			|| isset( $parts['query'] ) || isset( $parts['fragment'] ) ) {
			return '';
		}
		if ( ! in_array( strtolower( $parts['scheme'] ), array( 'http', 'https' ), true ) ) {
			return '';
		}
		return untrailingslashit( $url );
	}

	/**
	 * An integration key as sent in a header: printable ASCII without spaces.
	 *
	 * @param string $key Raw key.
	 * @return string '' when unusable.
	 */
	public static function clean_key( $key ) {
		$key = trim( $key );
		return ( strlen( $key ) <= 4096 && preg_match( '/^[\x21-\x7e]+$/', $key ) ) ? $key : '';
	}

	/**
	 * The integration key: the wp-config.php constant wins over the option.
	 *
	 * Only for server-side requests to the service; never print it.
	 *
	 * @return string
	 */
	public static function integration_key() {
		if ( self::key_from_constant() ) {
			return self::clean_key( (string) constant( self::KEY_CONSTANT ) );
		}
		return self::all()['integration_key'];
	}

	/**
	 * Whether wp-config.php defines the key.
	 *
	 * @return bool
	 */
	public static function key_from_constant() {
		return defined( self::KEY_CONSTANT ) && '' !== (string) constant( self::KEY_CONSTANT );
	}

	/**
	 * Whether a usable key is set (option or constant), without handing it out.
	 *
	 * @return bool
	 */
	public static function has_key() {
		return '' !== self::integration_key();
	}

	/**
	 * Service URL, salon and key are set: the widget can be shown.
	 *
	 * @return bool
	 */
	public static function is_configured() {
		$settings = self::all();
		return '' !== $settings['service_url'] && '' !== $settings['tenant_slug'] && self::has_key();
	}

	/**
	 * The settings form's sanitize_callback (register_setting).
	 *
	 * An empty key field keeps the stored key; the checkbox "forget_key" removes it.
	 * Invalid values keep the stored ones and say so.
	 *
	 * @param mixed $input Submitted values.
	 * @return array<string, string>
	 */
	public static function sanitize( $input ) {
		$input    = is_array( $input ) ? $input : array(); // options.php has unslashed it.
		$previous = self::all();
		$out      = $previous;

		$url = isset( $input['service_url'] ) ? trim( (string) $input['service_url'] ) : '';
		if ( '' === $url ) {
			$out['service_url'] = '';
		} elseif ( '' !== self::clean_url( $url ) ) {
			$out['service_url'] = self::clean_url( $url );
			if ( 0 === stripos( $out['service_url'], 'http:' ) && ! self::is_local_host( $out['service_url'] ) ) {
				self::notice( 'hushbook_http', __( 'The service URL uses http. Outside development, use https so that bookings travel encrypted.', 'hushbook' ), 'warning' );
			}
		} else {
			self::notice( 'hushbook_url', __( 'The service URL must start with https:// (or http:// for development) and contain no user name, query or fragment. The previous value was kept.', 'hushbook' ) );
		}

		$slug = isset( $input['tenant_slug'] ) ? strtolower( trim( (string) $input['tenant_slug'] ) ) : '';
		if ( '' === $slug || preg_match( self::SLUG_PATTERN, $slug ) ) {
			$out['tenant_slug'] = $slug;
		} else {
			self::notice( 'hushbook_slug', __( 'The salon slug may contain only lower-case letters, digits and dashes (3 to 63 characters). The previous value was kept.', 'hushbook' ) );
		}

		$key = isset( $input['integration_key'] ) ? trim( (string) $input['integration_key'] ) : '';
		if ( ! empty( $input['forget_key'] ) ) {
			$out['integration_key'] = '';
		} elseif ( '' !== $key ) {
			if ( '' !== self::clean_key( $key ) ) {
				$out['integration_key'] = self::clean_key( $key );
			} else {
				self::notice( 'hushbook_key', __( 'The integration key contains characters a key never has. The previous key was kept.', 'hushbook' ) );
			}
		}

		foreach ( array(
			'language' => self::LANGUAGES,
			'theme'    => self::THEMES,
		) as $name => $allowed ) {
			if ( isset( $input[ $name ] ) && in_array( $input[ $name ], $allowed, true ) ) {
				$out[ $name ] = $input[ $name ];
			}
		}
		$accent = isset( $input['accent'] ) ? sanitize_hex_color( (string) $input['accent'] ) : '';
		if ( $accent && 7 === strlen( $accent ) ) {
			$out['accent'] = strtolower( $accent );
		}
		return self::normalize( $out );
	}

	/**
	 * Whether the URL's host is a loopback or private address (development).
	 * Host names are not resolved: a name counts as public.
	 *
	 * @param string $url A clean URL.
	 * @return bool
	 */
	public static function is_local_host( $url ) {
		$host = trim( (string) wp_parse_url( $url, PHP_URL_HOST ), '[]' );
		if ( false === filter_var( $host, FILTER_VALIDATE_IP ) ) {
			return false;
		}
		return false === filter_var( $host, FILTER_VALIDATE_IP, FILTER_FLAG_NO_PRIV_RANGE | FILTER_FLAG_NO_RES_RANGE );
	}

	/**
	 * A message on the settings page (only there: add_settings_error is admin-only).
	 *
	 * @param string $code    Unique per message.
	 * @param string $message Translated text.
	 * @param string $type    error | warning.
	 */
	private static function notice( $code, $message, $type = 'error' ) {
		static $said = array(); // update_option() may sanitise twice when the option is new.
		if ( function_exists( 'add_settings_error' ) && ! isset( $said[ $code ] ) ) {
			$said[ $code ] = true;
			add_settings_error( self::OPTION, $code, $message, $type );
		}
	}
}
