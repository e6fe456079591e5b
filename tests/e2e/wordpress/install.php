<?php
/*
 * Installs WordPress non-interactively for Hushbook's end-to-end tests.
 *
 *   WORDPRESS_CONFIG=<name> php install.php <spec.json>
 *
 * spec: {host, title, admin_user, admin_password, admin_email, plugin,
 *        option, settings, pages: {key: {title, content}}}
 * Prints {"version": …, "pages": {key: url}} as JSON on the last line.
 */
if (PHP_SAPI !== 'cli') {
    exit(1);
}
$spec = json_decode(file_get_contents($argv[1]), true);
// As a request to the site would (the Debian config is chosen by WORDPRESS_CONFIG).
$_SERVER['HTTP_HOST'] = $spec['host'];
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['WORDPRESS_CONFIG'] = getenv('WORDPRESS_CONFIG');

define('WP_INSTALLING', true);
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

// wp_install() mails the admin; there is no mail here (a pluggable function).
function wp_new_blog_notification($blog_title, $blog_url, $user_id, $password) {}

require_once ABSPATH . 'wp-admin/includes/upgrade.php';

function fail($what) {
    fwrite(STDERR, "install.php: $what\n");
    exit(1);
}

if (is_blog_installed()) {
    fail('the database is not empty');
}
$installed = wp_install(
    $spec['title'], $spec['admin_user'], $spec['admin_email'], false, '', $spec['admin_password']
);
if (empty($installed['user_id'])) {
    fail('wp_install did not create the admin');
}
wp_set_current_user($installed['user_id']);

$activated = activate_plugin($spec['plugin']);
if (is_wp_error($activated)) {
    fail('activate_plugin: ' . $activated->get_error_message());
}
if (!is_plugin_active($spec['plugin'])) {
    fail('the plugin is not active after activate_plugin');
}
update_option($spec['option'], $spec['settings']);

$urls = array();
foreach ($spec['pages'] as $key => $page) {
    $id = wp_insert_post(array(
        'post_type' => 'page',
        'post_status' => 'publish',
        'post_title' => $page['title'],
        'post_content' => $page['content'],
        'post_author' => $installed['user_id'],
    ), true);
    if (is_wp_error($id)) {
        fail("page $key: " . $id->get_error_message());
    }
    $urls[$key] = get_permalink($id);
}
echo "\n" . json_encode(array('version' => get_bloginfo('version'), 'pages' => $urls)) . "\n";
