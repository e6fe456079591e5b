<?php
/*
 * Reads and changes the plugin's option outside a request, for tests that break
 * the configuration on purpose (and restore it).
 *
 *   WORDPRESS_CONFIG=<name> php option.php <host> <option> '<json object of changes>'
 *
 * Prints the option as it was, as JSON.
 */
if (PHP_SAPI !== 'cli') {
    exit(1);
}
$_SERVER['HTTP_HOST'] = $argv[1];
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['WORDPRESS_CONFIG'] = getenv('WORDPRESS_CONFIG');
require '/usr/share/wordpress/wp-load.php';

$before = get_option($argv[2], array());
update_option($argv[2], array_merge($before, json_decode($argv[3], true)));
echo json_encode($before), "\n";
