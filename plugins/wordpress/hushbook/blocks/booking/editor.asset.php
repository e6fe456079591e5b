<?php
/**
 * Dependencies of editor.js (plain JS against WordPress globals; no build step).
 *
 * @package Hushbook
 */

defined( 'ABSPATH' ) || exit;

return array(
	'dependencies' => array( 'wp-blocks', 'wp-element', 'wp-block-editor', 'wp-components', 'wp-i18n' ),
	'version'      => '0.1.0',
);
