<?php
/**
 * The admin menu Hushbook (status, settings), the connection test and the
 * privacy-policy suggestion.
 *
 * @package Hushbook
 */

defined( 'ABSPATH' ) || exit;

/**
 * Admin screens. Everything here needs manage_options.
 */
final class Hushbook_Admin {

	const PAGE          = 'hushbook';          // Hushbook: the status page, admin.php?page=hushbook.
	const SETTINGS_PAGE = 'hushbook-settings'; // Hushbook → Settings.
	const GROUP         = 'hushbook';          // The Settings API's option group and section page.
	const TEST_ACTION   = 'hushbook_test_connection';

	/**
	 * The settings page's hook suffix (for its script).
	 *
	 * @var string
	 */
	private static $settings_hook = '';

	/**
	 * Hooks.
	 */
	public static function init() {
		add_action( 'admin_menu', array( __CLASS__, 'menu' ) );
		add_action( 'admin_init', array( __CLASS__, 'register' ) );
		add_action( 'admin_init', array( __CLASS__, 'privacy_policy' ) );
		add_action( 'admin_enqueue_scripts', array( __CLASS__, 'scripts' ) );
		add_action( 'wp_ajax_' . self::TEST_ACTION, array( __CLASS__, 'test_connection' ) );
		add_filter( 'plugin_action_links_' . plugin_basename( HUSHBOOK_FILE ), array( __CLASS__, 'action_links' ) );
	}

	/**
	 * The menu Hushbook: the status page first, the settings below it.
	 */
	public static function menu() {
		global $pagenow;
		// The settings used to be under Settings → Hushbook: old links and bookmarks go on working.
		if ( 'options-general.php' === $pagenow && isset( $_GET['page'] ) && self::PAGE === sanitize_key( wp_unslash( $_GET['page'] ) ) ) { // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- only redirects.
			wp_safe_redirect( self::settings_url() );
			exit;
		}
		add_menu_page(
			__( 'Hushbook', 'hushbook' ),
			__( 'Hushbook', 'hushbook' ),
			'manage_options',
			self::PAGE,
			array( __CLASS__, 'status_page' ),
			'dashicons-calendar-alt'
		);
		add_submenu_page(
			self::PAGE,
			__( 'Hushbook', 'hushbook' ),
			__( 'Status', 'hushbook' ),
			'manage_options',
			self::PAGE,
			array( __CLASS__, 'status_page' )
		);
		self::$settings_hook = (string) add_submenu_page(
			self::PAGE,
			__( 'Hushbook settings', 'hushbook' ),
			__( 'Settings', 'hushbook' ),
			'manage_options',
			self::SETTINGS_PAGE,
			array( __CLASS__, 'page' )
		);
	}

	/**
	 * The address of the settings page.
	 *
	 * @return string
	 */
	public static function settings_url() {
		return admin_url( 'admin.php?page=' . self::SETTINGS_PAGE );
	}

	/**
	 * "Settings" next to "Deactivate" on the plugins screen.
	 *
	 * @param string[] $links Existing links.
	 * @return string[]
	 */
	public static function action_links( $links ) {
		array_unshift(
			$links,
			sprintf(
				'<a href="%s">%s</a>',
				esc_url( self::settings_url() ),
				esc_html__( 'Settings', 'hushbook' )
			)
		);
		return $links;
	}

	/**
	 * Settings API: one option, one section, six fields.
	 */
	public static function register() {
		register_setting(
			self::GROUP,
			Hushbook_Settings::OPTION,
			array(
				'type'              => 'array',
				'sanitize_callback' => array( 'Hushbook_Settings', 'sanitize' ),
				'default'           => Hushbook_Settings::defaults(),
				'show_in_rest'      => false,
			)
		);
		add_settings_section( 'hushbook_connection', __( 'Connection to your Hushbook service', 'hushbook' ), '__return_false', self::GROUP );
		add_settings_section( 'hushbook_look', __( 'Booking form', 'hushbook' ), '__return_false', self::GROUP );
		$fields = array(
			'service_url'     => array( __( 'Service URL', 'hushbook' ), 'hushbook_connection' ),
			'tenant_slug'     => array( __( 'Salon (slug)', 'hushbook' ), 'hushbook_connection' ),
			'integration_key' => array( __( 'Integration key', 'hushbook' ), 'hushbook_connection' ),
			'language'        => array( __( 'Default language', 'hushbook' ), 'hushbook_look' ),
			'theme'           => array( __( 'Look', 'hushbook' ), 'hushbook_look' ),
			'accent'          => array( __( 'Accent colour', 'hushbook' ), 'hushbook_look' ),
		);
		foreach ( $fields as $name => $field ) {
			add_settings_field(
				'hushbook_' . $name,
				$field[0],
				array( __CLASS__, 'field_' . $name ),
				self::GROUP,
				$field[1],
				array( 'label_for' => 'hushbook_' . $name )
			);
		}
	}

	/**
	 * Hushbook: the settings in use, the state of the connection (checked now, from
	 * this server) and the way to the salon's staff console. Prints no key.
	 */
	public static function status_page() {
		if ( ! current_user_can( 'manage_options' ) ) {
			return;
		}
		require_once HUSHBOOK_DIR . 'includes/class-hushbook-status.php';
		$settings = Hushbook_Settings::all();
		$result   = Hushbook_Status::check();
		$words    = Hushbook_Status::describe( $result['state'], $result['salon'] );
		$console  = Hushbook_Status::console_url();

		echo '<div class="wrap hushbook-status"><h1>' . esc_html( get_admin_page_title() ) . '</h1>';
		printf(
			'<div id="hushbook-state" class="notice notice-%s inline" data-state="%s"><p><strong>%s</strong></p><p>%s</p>',
			esc_attr( $words['level'] ),
			esc_attr( $result['state'] ),
			esc_html( $words['title'] ),
			esc_html( $words['text'] )
		);
		if ( $result['details'] ) {
			echo '<ul class="ul-disc">';
			foreach ( $result['details'] as $detail ) {
				echo '<li>' . esc_html( $detail ) . '</li>';
			}
			echo '</ul>';
		}
		echo '</div>';

		echo '<h2>' . esc_html__( 'Connection to your Hushbook service', 'hushbook' ) . '</h2>';
		echo '<table class="form-table" id="hushbook-settings-in-use"><tbody>';
		$rows = array(
			array( __( 'Service URL', 'hushbook' ), $settings['service_url'] ),
			array( __( 'Salon (slug)', 'hushbook' ), $settings['tenant_slug'] ),
		);
		foreach ( $rows as $row ) {
			echo '<tr><th scope="row">' . esc_html( $row[0] ) . '</th><td>';
			if ( '' === $row[1] ) {
				echo esc_html__( 'Not set', 'hushbook' );
			} else {
				echo '<code>' . esc_html( $row[1] ) . '</code>';
			}
			echo '</td></tr>';
		}
		if ( Hushbook_Settings::key_from_constant() ) {
			$key = __( 'Set in wp-config.php (HUSHBOOK_INTEGRATION_KEY).', 'hushbook' );
		} elseif ( Hushbook_Settings::has_key() ) {
			$key = __( 'Stored in the settings (never shown).', 'hushbook' );
		} else {
			$key = __( 'No key is stored yet.', 'hushbook' );
		}
		echo '<tr><th scope="row">' . esc_html__( 'Integration key', 'hushbook' ) . '</th><td>' . esc_html( $key ) . '</td></tr>';
		echo '</tbody></table>';

		echo '<p>';
		if ( '' !== $console ) {
			printf(
				'<a class="button button-primary" id="hushbook-console" href="%s" target="_blank" rel="noopener noreferrer">%s<span class="screen-reader-text"> %s</span></a> ',
				esc_url( $console ),
				esc_html__( 'Open the staff console', 'hushbook' ),
				esc_html__( '(opens in a new tab)', 'hushbook' )
			);
		}
		printf( '<a class="button" href="%s">%s</a> ', esc_url( self::settings_url() ), esc_html__( 'Settings', 'hushbook' ) );
		printf( '<a class="button" href="%s">%s</a>', esc_url( admin_url( 'admin.php?page=' . self::PAGE ) ), esc_html__( 'Check again', 'hushbook' ) );
		echo '</p>';
		echo '<p class="description">' . esc_html__( 'The staff console is your salon\'s appointment book on the Hushbook service. Sign in there with your Hushbook account, not with your WordPress account.', 'hushbook' ) . '</p>';
		echo '<p>' . esc_html__( 'Hushbook shows visitors a few suitable offers for their wish instead of your calendar. Put the booking form on a page with the block "Hushbook booking" or the shortcode [hushbook].', 'hushbook' ) . '</p>';
		echo '</div>';
	}

	/**
	 * Hushbook → Settings.
	 */
	public static function page() {
		if ( ! current_user_can( 'manage_options' ) ) {
			return;
		}
		echo '<div class="wrap"><h1>' . esc_html( get_admin_page_title() ) . '</h1>';
		settings_errors(); // WordPress shows them by itself only below Settings.
		echo '<p>' . esc_html__( 'Hushbook shows visitors a few suitable offers for their wish instead of your calendar. Put the booking form on a page with the block "Hushbook booking" or the shortcode [hushbook].', 'hushbook' ) . '</p>';
		echo '<form action="' . esc_url( admin_url( 'options.php' ) ) . '" method="post">';
		settings_fields( self::GROUP );
		do_settings_sections( self::GROUP );
		submit_button();
		echo '</form>';
		echo '<h2>' . esc_html__( 'Test connection', 'hushbook' ) . '</h2>';
		echo '<p>' . esc_html__( 'Checks the saved settings: whether the service answers, which salon it knows under the slug, whether stealth mode is on and whether the integration key is accepted.', 'hushbook' ) . '</p>';
		echo '<p><button type="button" class="button" id="hushbook-test">' . esc_html__( 'Test connection', 'hushbook' ) . '</button></p>';
		echo '<ul id="hushbook-test-result" aria-live="polite"></ul></div>';
	}

	/**
	 * Field: service URL.
	 */
	public static function field_service_url() {
		printf(
			'<input type="url" class="regular-text code" id="hushbook_service_url" name="%s[service_url]" value="%s" placeholder="https://book.example.org" />',
			esc_attr( Hushbook_Settings::OPTION ),
			esc_attr( Hushbook_Settings::all()['service_url'] )
		);
		echo '<p class="description">' . esc_html__( 'The address of the Hushbook service, with https:// (http:// only for development).', 'hushbook' ) . '</p>';
	}

	/**
	 * Field: tenant slug.
	 */
	public static function field_tenant_slug() {
		printf(
			'<input type="text" class="regular-text code" id="hushbook_tenant_slug" name="%s[tenant_slug]" value="%s" pattern="[a-z0-9][a-z0-9-]{1,61}[a-z0-9]" />',
			esc_attr( Hushbook_Settings::OPTION ),
			esc_attr( Hushbook_Settings::all()['tenant_slug'] )
		);
		echo '<p class="description">' . esc_html__( 'Your salon\'s short name on the service, as in its booking link /book/your-salon.', 'hushbook' ) . '</p>';
	}

	/**
	 * Field: integration key. Never printed back; empty keeps the stored key.
	 */
	public static function field_integration_key() {
		if ( Hushbook_Settings::key_from_constant() ) {
			echo '<input type="password" class="regular-text" id="hushbook_integration_key" value="" disabled="disabled" autocomplete="off" />';
			echo '<p class="description">' . esc_html__( 'Set in wp-config.php (HUSHBOOK_INTEGRATION_KEY); that value is used and this field is ignored.', 'hushbook' ) . '</p>';
			return;
		}
		$stored = '' !== Hushbook_Settings::all()['integration_key'];
		printf(
			'<input type="password" class="regular-text" id="hushbook_integration_key" name="%s[integration_key]" value="" autocomplete="new-password" spellcheck="false" />',
			esc_attr( Hushbook_Settings::OPTION )
		);
		if ( $stored ) {
			echo '<p class="description">' . esc_html__( 'A key is stored. Leave the field empty to keep it, or paste a new key to replace it.', 'hushbook' ) . '</p>';
			printf(
				'<p><label><input type="checkbox" name="%s[forget_key]" value="1" /> %s</label></p>',
				esc_attr( Hushbook_Settings::OPTION ),
				esc_html__( 'Remove the stored key', 'hushbook' )
			);
		} else {
			echo '<p class="description">' . esc_html__( 'No key is stored yet.', 'hushbook' ) . '</p>';
		}
		echo '<p class="description">' . esc_html__( 'Create an integration key with the scope public:forward for your salon on the service. It stays on this server and never reaches the browser. You may instead define HUSHBOOK_INTEGRATION_KEY in wp-config.php.', 'hushbook' ) . '</p>';
	}

	/**
	 * Field: default language.
	 */
	public static function field_language() {
		self::select(
			'language',
			array(
				'auto' => __( 'Automatic (from the site language)', 'hushbook' ),
				'de'   => __( 'German', 'hushbook' ),
				'en'   => __( 'English', 'hushbook' ),
			)
		);
		echo '<p class="description">' . esc_html__( 'A shortcode or block can choose another language.', 'hushbook' ) . '</p>';
	}

	/**
	 * Field: light, dark or automatic look.
	 */
	public static function field_theme() {
		self::select(
			'theme',
			array(
				'auto'  => __( 'Automatic (follows the visitor\'s device)', 'hushbook' ),
				'light' => __( 'Light', 'hushbook' ),
				'dark'  => __( 'Dark', 'hushbook' ),
			)
		);
	}

	/**
	 * Field: accent colour.
	 */
	public static function field_accent() {
		printf(
			'<input type="color" id="hushbook_accent" name="%s[accent]" value="%s" />',
			esc_attr( Hushbook_Settings::OPTION ),
			esc_attr( Hushbook_Settings::all()['accent'] )
		);
		echo '<p class="description">' . esc_html__( 'Buttons and highlights; the text on them turns black or white for contrast.', 'hushbook' ) . '</p>';
	}

	/**
	 * A <select> for one setting.
	 *
	 * @param string                $name    Setting key.
	 * @param array<string, string> $choices value => translated label.
	 */
	private static function select( $name, array $choices ) {
		$current = Hushbook_Settings::all()[ $name ];
		printf( '<select id="hushbook_%s" name="%s[%s]">', esc_attr( $name ), esc_attr( Hushbook_Settings::OPTION ), esc_attr( $name ) );
		foreach ( $choices as $value => $label ) {
			printf( '<option value="%s"%s>%s</option>', esc_attr( $value ), selected( $current, $value, false ), esc_html( $label ) );
		}
		echo '</select>';
	}

	/**
	 * The settings page's script (the connection test).
	 *
	 * @param string $hook Current admin page.
	 */
	public static function scripts( $hook ) {
		if ( '' === self::$settings_hook || self::$settings_hook !== $hook ) {
			return;
		}
		wp_enqueue_script( 'hushbook-admin', plugins_url( 'assets/admin/hushbook-admin.js', HUSHBOOK_FILE ), array(), HUSHBOOK_VERSION, true );
		wp_localize_script(
			'hushbook-admin',
			'hushbookAdmin',
			array(
				'ajaxUrl' => admin_url( 'admin-ajax.php' ),
				'action'  => self::TEST_ACTION,
				'nonce'   => wp_create_nonce( self::TEST_ACTION ),
				'testing' => __( 'Testing…', 'hushbook' ),
				'failed'  => __( 'The test could not be run. Reload the page and try again.', 'hushbook' ),
			)
		);
	}

	/**
	 * admin-ajax: test the saved settings against the service.
	 *
	 * Answers {success, data: {ok, lines: [{ok, text}]}}; texts are translated, plain.
	 */
	public static function test_connection() {
		if ( ! current_user_can( 'manage_options' ) ) {
			wp_send_json_error( array( 'text' => __( 'You are not allowed to do this.', 'hushbook' ) ), 403 );
		}
		check_ajax_referer( self::TEST_ACTION, 'nonce' );
		require_once HUSHBOOK_DIR . 'includes/class-hushbook-connection-test.php';
		$lines = Hushbook_Connection_Test::run();
		$ok    = ! in_array( false, wp_list_pluck( $lines, 'ok' ), true );
		wp_send_json_success(
			array(
				'ok'    => $ok,
				'lines' => $lines,
			)
		);
	}

	/**
	 * Suggested text for the site's privacy policy (Settings → Privacy → Policy Guide).
	 *
	 * One translatable text: English in the source, German in languages/hushbook-de_DE.po,
	 * so the guide shows it in the admin's language.
	 */
	public static function privacy_policy() {
		if ( ! function_exists( 'wp_add_privacy_policy_content' ) ) {
			return;
		}
		$paragraphs = array(
			__( 'When you book an appointment on this website, the booking form sends your request through this website to our booking service Hushbook. This website itself does not store what you enter and sets no cookies for the booking.', 'hushbook' ),
			__( 'To protect our appointment calendar against automated queries, this website passes your IP address to the booking service with every booking request. The service uses it only to limit the number of requests per address and network; it keeps keyed hashes of the address for a short time, not the address itself.', 'hushbook' ),
			__( 'Your name and any other details about you are encrypted in your browser before they are sent; only our salon can read them. Your e-mail address or phone number is used to send you the confirmation code and, if you agree, reminders; for that it is stored encrypted and made unreadable for good at the latest 45 days after the appointment.', 'hushbook' ),
			__( 'A booking that you do not confirm expires after a short time and is erased together with the details entered for it.', 'hushbook' ),
		);
		$content  = '<p class="privacy-policy-tutorial">' . esc_html__( 'Hushbook suggests the text below. Adapt it to your salon and name the operator of your Hushbook service and where it is hosted.', 'hushbook' ) . '</p>';
		$content .= '<strong class="privacy-policy-tutorial">' . esc_html__( 'Suggested text:', 'hushbook' ) . '</strong> ';
		foreach ( $paragraphs as $paragraph ) {
			$content .= '<p>' . esc_html( $paragraph ) . '</p>';
		}
		wp_add_privacy_policy_content( __( 'Hushbook', 'hushbook' ), wp_kses_post( $content ) );
	}
}
