<?php
/**
 * The widget's mount point: one function for the shortcode and the block.
 *
 * @package Hushbook
 */

defined( 'ABSPATH' ) || exit;

/**
 * Prints <div class="hushbook-widget" data-hushbook-config="…"></div> and enqueues the widget.
 */
final class Hushbook_Render {

	/**
	 * [hushbook service="" staff="" language=""]
	 *
	 * @param array|string $atts Shortcode attributes.
	 * @return string
	 */
	public static function shortcode( $atts ) {
		$atts = shortcode_atts(
			array(
				'service'  => '',
				'staff'    => '',
				'language' => '',
			),
			is_array( $atts ) ? $atts : array(),
			'hushbook'
		);
		ob_start();
		self::output( $atts );
		return (string) ob_get_clean();
	}

	/**
	 * Prints the widget (or, when the plugin is not configured, a notice for admins only).
	 *
	 * @param array $args service, staff (ids), language (de|en); all optional.
	 */
	public static function output( array $args ) {
		if ( ! Hushbook_Settings::is_configured() ) {
			if ( current_user_can( 'manage_options' ) ) {
				printf(
					'<p class="hushbook-notice" role="note">%s <a href="%s">%s</a></p>',
					esc_html__( 'Hushbook: online booking will appear here once the plugin is set up (service URL, salon and integration key). Only administrators see this note.', 'hushbook' ),
					esc_url( admin_url( 'admin.php?page=hushbook-settings' ) ),
					esc_html__( 'Open the Hushbook settings', 'hushbook' )
				);
			}
			return;
		}
		$version = HUSHBOOK_VERSION;
		$script  = HUSHBOOK_DIR . 'assets/widget/hushbook-widget.js';
		if ( is_readable( $script ) ) {
			$version .= '-' . filemtime( $script ); // A rebuilt widget is not served from a stale cache.
		}
		wp_enqueue_style( 'hushbook-widget', plugins_url( 'assets/widget/hushbook-widget.css', HUSHBOOK_FILE ), array(), $version );
		wp_enqueue_script( 'hushbook-widget', plugins_url( 'assets/widget/hushbook-widget.js', HUSHBOOK_FILE ), array(), $version, true );
		printf(
			'<div class="hushbook-widget" data-hushbook-config="%s"></div>',
			esc_attr( wp_json_encode( self::config( $args ) ) )
		);
	}

	/**
	 * The widget's configuration (see the header of hushbook-widget.js).
	 *
	 * @param array $args service, staff, language.
	 * @return array
	 */
	public static function config( array $args ) {
		$settings  = Hushbook_Settings::all();
		$endpoints = array();
		foreach ( array_keys( Hushbook_Proxy::ROUTES ) as $route ) {
			$endpoints[ $route ] = rest_url( Hushbook_Proxy::NAMESPACE_V1 . '/' . $route );
		}
		$headers = array( 'X-Hushbook-Nonce' => wp_create_nonce( Hushbook_Proxy::NONCE_ACTION ) );
		if ( is_user_logged_in() ) {
			// Without it the REST API treats a logged-in visitor's cookie request as
			// anonymous, and the nonce above (made for the logged-in user) would fail.
			$headers['X-WP-Nonce'] = wp_create_nonce( 'wp_rest' );
		}
		$config = array(
			'endpoints' => $endpoints,
			'headers'   => $headers,
			'assets'    => plugins_url( 'assets/widget/', HUSHBOOK_FILE ),
			'lang'      => self::language( isset( $args['language'] ) ? $args['language'] : '', $settings['language'] ),
		);
		foreach ( array( 'service', 'staff' ) as $name ) {
			$id = isset( $args[ $name ] ) ? self::id( $args[ $name ] ) : 0;
			if ( $id > 0 ) {
				$config[ $name ] = $id;
			}
		}
		$config['theme']  = $settings['theme'];
		$config['accent'] = $settings['accent'];
		return $config;
	}

	/**
	 * A language code: the attribute, else the setting, else the site's locale.
	 * Any code is passed on: the widget uses its i18n/<code>.json and falls back
	 * to English when there is none, so a language is added by adding one file.
	 *
	 * @param mixed  $attribute From the shortcode or block.
	 * @param string $setting   auto | de | en.
	 * @return string
	 */
	public static function language( $attribute, $setting ) {
		foreach ( array( $attribute, $setting, strtok( (string) get_locale(), '_' ) ) as $choice ) {
			$choice = strtolower( trim( (string) $choice ) );
			if ( 1 === preg_match( '/^[a-z]{2,3}$/', $choice ) ) {
				return $choice;
			}
		}
		return 'en';
	}

	/**
	 * A positive integer id, or 0.
	 *
	 * @param mixed $value "3", 3 or anything else.
	 * @return int
	 */
	private static function id( $value ) {
		if ( is_int( $value ) ) {
			return max( 0, $value );
		}
		$value = trim( (string) $value );
		return ( '' !== $value && ctype_digit( $value ) && strlen( $value ) < 10 ) ? (int) $value : 0;
	}
}
