<?php
/**
 * Plugin Name:       Hushbook
 * Plugin URI:        https://github.com/hushbook/hushbook
 * Description:       Privacy-first online booking for salons: visitors name a service and a wish and get a few offers, never your calendar. Shortcode [hushbook] and the block "Hushbook booking".
 * Version:           0.1.0
 * Requires at least: 6.1
 * Requires PHP:      8.0
 * Author:            Hushbook contributors
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       hushbook
 * Domain Path:       /languages
 *
 * @package Hushbook
 */

defined( 'ABSPATH' ) || exit;

define( 'HUSHBOOK_VERSION', '0.1.0' );
define( 'HUSHBOOK_FILE', __FILE__ );
define( 'HUSHBOOK_DIR', plugin_dir_path( __FILE__ ) );

require_once HUSHBOOK_DIR . 'includes/class-hushbook-settings.php';
require_once HUSHBOOK_DIR . 'includes/class-hushbook-client.php';
require_once HUSHBOOK_DIR . 'includes/class-hushbook-proxy.php';
require_once HUSHBOOK_DIR . 'includes/class-hushbook-render.php';

if ( is_admin() ) {
	require_once HUSHBOOK_DIR . 'includes/class-hushbook-admin.php';
	Hushbook_Admin::init();
}

/**
 * Text domain, block and shortcode.
 */
function hushbook_init() {
	load_plugin_textdomain( 'hushbook', false, dirname( plugin_basename( __FILE__ ) ) . '/languages' );

	register_block_type( __DIR__ . '/blocks/booking' );
	// The editor script's strings: languages/hushbook-de_DE-hushbook-booking-editor-script.json.
	wp_set_script_translations( 'hushbook-booking-editor-script', 'hushbook', __DIR__ . '/languages' );

	add_shortcode( 'hushbook', array( 'Hushbook_Render', 'shortcode' ) );
}
add_action( 'init', 'hushbook_init' );

add_action( 'rest_api_init', array( 'Hushbook_Proxy', 'register_routes' ) );
