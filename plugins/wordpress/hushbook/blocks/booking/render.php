<?php
/**
 * Server-side rendering of the block hushbook/booking (block.json "render").
 *
 * WordPress provides $attributes, $content and $block.
 *
 * @package Hushbook
 */

defined( 'ABSPATH' ) || exit;

Hushbook_Render::output( isset( $attributes ) && is_array( $attributes ) ? $attributes : array() );
