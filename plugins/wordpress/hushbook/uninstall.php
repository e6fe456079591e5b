<?php
/**
 * Deleting the plugin removes its settings. Hushbook keeps nothing else in WordPress.
 *
 * @package Hushbook
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

delete_option( 'hushbook_settings' );

if ( is_multisite() ) {
	$hushbook_sites = get_sites(
		array(
			'fields' => 'ids',
			'number' => 0,
		)
	);
	foreach ( $hushbook_sites as $hushbook_site_id ) {
		switch_to_blog( $hushbook_site_id );
		delete_option( 'hushbook_settings' );
		restore_current_blog();
	}
}
