<?php
/*
 * Router for `php -S` in Hushbook's end-to-end tests (never for production).
 *
 * - Loads the run's own WordPress config: the Debian wp-config.php reads
 *   $_SERVER['WORDPRESS_CONFIG'], which the built-in server does not fill from
 *   the environment, so it is copied here (one config per run, whatever the Host).
 * - Serves /wp-content/... from the run's content folder (WP_CONTENT_DIR lies
 *   outside the document root; plugins/hushbook there is a symlink to the repo).
 * - Runs every PHP script itself, with the script variables WordPress reads, and
 *   logs each such request with its full URI and status to the server's log
 *   (which the plaintext scan reads too).
 */

/** false: a static file of WordPress (the server sends it); true: answered; else a script. */
function hushbook_e2e_route() {
    $root = rtrim($_SERVER['DOCUMENT_ROOT'], '/');
    $path = rawurldecode((string) parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH));
    if ('' === $path || false !== strpos($path, '..') || false !== strpos($path, "\0")) {
        http_response_code(400);
        return true;
    }
    if (0 === strncmp($path, '/wp-content/', 12)) {
        $types = array(
            'css' => 'text/css; charset=utf-8', 'js' => 'text/javascript; charset=utf-8',
            'mjs' => 'text/javascript; charset=utf-8', 'json' => 'application/json',
            'svg' => 'image/svg+xml', 'png' => 'image/png', 'jpg' => 'image/jpeg',
            'jpeg' => 'image/jpeg', 'gif' => 'image/gif', 'webp' => 'image/webp',
            'ico' => 'image/x-icon', 'woff' => 'font/woff', 'woff2' => 'font/woff2',
            'ttf' => 'font/ttf', 'txt' => 'text/plain; charset=utf-8', 'map' => 'application/json',
            'mo' => 'application/octet-stream',
        );
        $file = rtrim((string) getenv('HUSHBOOK_E2E_CONTENT_DIR'), '/') . substr($path, 11);
        $ext  = strtolower(pathinfo($file, PATHINFO_EXTENSION));
        if (!is_file($file) || 'php' === $ext) {
            http_response_code(404);
            return true;
        }
        header('Content-Type: ' . (isset($types[$ext]) ? $types[$ext] : 'application/octet-stream'));
        header('Content-Length: ' . filesize($file));
        readfile($file);
        return true;
    }
    $file = $root . $path;
    if (is_dir($file)) {
        $file = rtrim($file, '/') . '/index.php';
    }
    if (is_file($file) && '.php' !== substr($file, -4)) {
        return false;
    }
    if (!is_file($file)) {
        $file = $root . '/index.php'; // pretty permalinks, should a test switch them on
    }
    $_SERVER['SCRIPT_FILENAME'] = $file;
    $_SERVER['SCRIPT_NAME']     = substr($file, strlen($root));
    $_SERVER['PHP_SELF']        = $_SERVER['SCRIPT_NAME'];
    return $file;
}

$_SERVER['WORDPRESS_CONFIG'] = (string) getenv('WORDPRESS_CONFIG');
register_shutdown_function(
    function ($started) {
        $status = http_response_code();
        if (false !== $status) {
            file_put_contents('php://stderr', sprintf(
                "[router] %s %s -> %d (%d ms)\n",
                $_SERVER['REQUEST_METHOD'], $_SERVER['REQUEST_URI'], $status,
                (int) round(1000 * (microtime(true) - $started))
            ));
        }
    },
    microtime(true)
);
$hushbook_e2e_script = hushbook_e2e_route();
if (is_bool($hushbook_e2e_script)) {
    return $hushbook_e2e_script;
}
chdir(dirname($hushbook_e2e_script));
require $hushbook_e2e_script;
