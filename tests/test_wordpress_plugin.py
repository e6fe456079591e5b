"""The WordPress plugin plugins/wordpress/hushbook: static checks and PHP without WordPress.

What WordPress.org's Plugin Check would look at (it needs a newer WordPress and
Composer here), checked directly: syntax, direct-access guards, the plugin and
readme headers, text domain and translations, output escaping, REST permission
callbacks, nonces, block.json. Plus the proxy's body filter, the settings and the
widget markup run in PHP with small stand-ins for the WordPress functions they
call. A real WordPress with the plugin active is driven by the end-to-end suite.

`php` and `msgfmt` are needed for some tests: without them those tests are
skipped, unless the environment variable CI is set, when they fail.

Translations, after changing a user-facing string (run in the plugin folder):

    xgettext --from-code=UTF-8 --add-comments=translators --no-wrap \\
      --keyword --keyword=__:1 --keyword=esc_html__:1 --keyword=esc_html_e:1 \\
      --keyword=esc_attr__:1 --keyword=esc_attr_e:1 --keyword=_x:1,2c --keyword=_n:1,2 \\
      -o /tmp/code.pot $(find . -name '*.php' -o -name '*.js' | grep -v assets/widget)
    # add the plugin header's Name/Description/Author and block.json's title,
    # description (msgctxt "block title"/"block description") and keywords
    # (msgctxt "block keyword") by hand, merge into languages/hushbook.pot, then
    msgmerge -U languages/hushbook-de_DE.po languages/hushbook.pot   # translate
    msgfmt -o languages/hushbook-de_DE.mo languages/hushbook-de_DE.po
    # and copy the editor.js strings into the Jed JSON file (see test_script_translations).
"""

from __future__ import annotations

import gettext
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from hushbook_service.public.visitors import VISITOR_IP_HEADER
from hushbook_service.resources import public as public_api
from support.components import require

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "plugins" / "wordpress" / "hushbook"
WIDGET = PLUGIN / "assets" / "widget"  # built by plugins/widget/build.py, not ours
LANGUAGES = PLUGIN / "languages"
VERSION = "0.1.0"


def need(tool: str) -> str:
    path = shutil.which(tool)
    require(tool, path is not None, "apt-get install php-cli gettext")
    return path


def own_files(suffix: str) -> list[Path]:
    return sorted(p for p in PLUGIN.rglob(f"*{suffix}") if WIDGET not in p.parents)


PHP_FILES = own_files(".php")
JS_FILES = own_files(".js")


def rel(path: Path) -> str:
    return path.relative_to(PLUGIN).as_posix()


# --- a small lexer for the plugin's PHP and JS ------------------------------------------
# Enough for code written in WordPress style: no heredocs, no closing ?> tags, no JS
# regex or template literals (test_lexer_assumptions makes sure).

TOKEN = re.compile(
    r"""
    (?P<comment>/\*.*?\*/|//[^\n]*|\#(?!\[)[^\n]*)
  | (?P<string>'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")
  | (?P<name>\$?[A-Za-z_][\w]*)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<space>\s+)
  | (?P<op>::|->|=>|\|\||&&|===|!==|==|!=|<=|>=|\?\?|.)
    """,
    re.S | re.X,
)


def tokens(path: Path) -> list[tuple[str, str]]:
    out = []
    for match in TOKEN.finditer(path.read_text(encoding="utf-8")):
        if match.lastgroup not in ("space", "comment"):
            out.append((match.lastgroup, match.group()))
    return out


def literal(token: tuple[str, str], php: bool) -> str | None:
    """The value of a plain string literal token (None if not one, or interpolated)."""
    kind, text = token
    if kind != "string":
        return None
    body = text[1:-1]
    if php and text[0] == "'":
        return body.replace("\\'", "'").replace("\\\\", "\\")
    if php and "$" in body:
        return None
    escapes = {"n": "\n", "t": "\t", '"': '"', "'": "'", "\\": "\\"}
    return re.sub(
        r"\\(u[0-9a-fA-F]{4}|.)",
        lambda m: (
            chr(int(m.group(1)[1:], 16))
            if len(m.group(1)) == 5
            else escapes.get(m.group(1), m.group())
        ),
        body,
    )


def calls(toks, names: set[str]):
    """(name, [argument token lists]) for every call of one of ``names``."""
    for i, (kind, text) in enumerate(toks[:-1]):
        if kind != "name" or text not in names or toks[i + 1][1] != "(":
            continue
        if i and toks[i - 1][1] in ("->", "::", "function"):
            continue
        args, current, depth = [], [], 0
        for tok in toks[i + 2 :]:
            if tok[1] in "([{" and tok[0] == "op":
                depth += 1
            elif tok[1] in ")]}" and tok[0] == "op":
                if depth == 0:
                    break
                depth -= 1
            if tok[1] == "," and depth == 0:
                args.append(current)
                current = []
            else:
                current.append(tok)
        if current:
            args.append(current)
        yield text, args


# Gettext functions: name -> (msgid index, context index or None, domain index).
GETTEXT = {
    "__": (0, None, 1),
    "_e": (0, None, 1),
    "esc_html__": (0, None, 1),
    "esc_html_e": (0, None, 1),
    "esc_attr__": (0, None, 1),
    "esc_attr_e": (0, None, 1),
    "_x": (0, 1, 2),
    "_ex": (0, 1, 2),
    "esc_html_x": (0, 1, 2),
    "esc_attr_x": (0, 1, 2),
    "_n": (0, None, 3),
    "_nx": (0, 3, 4),
    "_n_noop": (0, None, 2),
    "_nx_noop": (0, 2, 3),
}


def used_messages() -> dict[tuple[str | None, str], str]:
    """(context, msgid) -> where, for every gettext call, the header and block.json."""
    found: dict[tuple[str | None, str], str] = {}
    for path in PHP_FILES + JS_FILES:
        php = path.suffix == ".php"
        for name, args in calls(tokens(path), set(GETTEXT)):
            msgid_at, ctx_at, _ = GETTEXT[name]
            msgid = literal(args[msgid_at][0], php) if len(args[msgid_at]) == 1 else None
            assert msgid is not None, f"{rel(path)}: {name}() needs a literal msgid"
            ctx = literal(args[ctx_at][0], php) if ctx_at is not None else None
            found[(ctx, msgid)] = rel(path)
    header = main_header()
    for field in ("Plugin Name", "Description", "Author"):
        found[(None, header[field])] = "hushbook.php header"
    block = json.loads((PLUGIN / "blocks/booking/block.json").read_text(encoding="utf-8"))
    found[("block title", block["title"])] = "block.json"
    found[("block description", block["description"])] = "block.json"
    for keyword in block["keywords"]:
        found[("block keyword", keyword)] = "block.json"
    return found


# --- a small PO reader ------------------------------------------------------------------


def read_po(path: Path) -> dict[tuple[str | None, str], dict]:
    entries = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict = {"flags": "", "msgstr": []}
        field = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line
                continue
            if line.startswith("#") or not line.strip():
                continue
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                field = match.group(1)
                value = match.group(2)
                if field.startswith("msgstr"):
                    entry["msgstr"].append(value)
                else:
                    entry[field] = value
            elif line.startswith('"') and field:
                if field.startswith("msgstr"):
                    entry["msgstr"][-1] += line[1:-1]
                else:
                    entry[field] += line[1:-1]
        if "msgid" not in entry:
            continue
        unescape = lambda s: literal(("string", f'"{s}"'), php=False)  # noqa: E731
        key = (unescape(entry["msgctxt"]) if "msgctxt" in entry else None, unescape(entry["msgid"]))
        entry["msgstr"] = [unescape(s) for s in entry["msgstr"]]
        entries[key] = entry
    return entries


def main_header() -> dict[str, str]:
    head = (PLUGIN / "hushbook.php").read_text(encoding="utf-8")[:8192]
    return dict(re.findall(r"^\s*\*\s*([A-Za-z][A-Za-z ]+?):\s*(.+?)\s*$", head, re.M))


# --- layout and headers -----------------------------------------------------------------


def test_layout():
    for name in (
        "hushbook.php",
        "uninstall.php",
        "readme.txt",
        "includes/class-hushbook-settings.php",
        "includes/class-hushbook-proxy.php",
        "includes/class-hushbook-render.php",
        "includes/class-hushbook-admin.php",
        "includes/class-hushbook-status.php",
        "blocks/booking/block.json",
        "blocks/booking/render.php",
        "blocks/booking/editor.js",
        "blocks/booking/editor.asset.php",
        "languages/hushbook.pot",
        "languages/hushbook-de_DE.po",
        "languages/hushbook-de_DE.mo",
    ):
        assert (PLUGIN / name).is_file(), name


def test_lexer_assumptions():
    for path in PHP_FILES:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("<?php\n"), rel(path)
        assert "?>" not in text and "<<<" not in text, f"{rel(path)}: closing tag or heredoc"
    for path in JS_FILES:
        assert "`" not in path.read_text(encoding="utf-8"), f"{rel(path)}: template literal"


@pytest.mark.system  # php -l
@pytest.mark.parametrize("path", PHP_FILES, ids=rel)
def test_php_syntax(path):
    done = subprocess.run([need("php"), "-l", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("path", PHP_FILES, ids=rel)
def test_direct_access_guard_comes_first(path):
    guard = "WP_UNINSTALL_PLUGIN" if path.name == "uninstall.php" else "ABSPATH"
    first = [t[1] for t in tokens(path)[3:10]]  # after <?php
    assert first == ["defined", "(", f"'{guard}'", ")", "||", "exit", ";"], rel(path)


def test_main_header():
    header = main_header()
    for field in ("Plugin Name", "Plugin URI", "Description", "Author", "License URI"):
        assert header.get(field), field
    assert header["Version"] == VERSION
    assert header["Requires at least"] == "6.1"
    assert header["Requires PHP"] == "8.0"
    assert header["License"] == "GPL-2.0-or-later"
    assert header["Text Domain"] == "hushbook"
    assert header["Domain Path"] == "/languages"
    assert f"define( 'HUSHBOOK_VERSION', '{VERSION}' )" in (PLUGIN / "hushbook.php").read_text()


def test_readme_header_matches_the_plugin():
    text = (PLUGIN / "readme.txt").read_text(encoding="utf-8")
    assert re.match(r"=== Hushbook ===\n", text)
    head = dict(re.findall(r"^([A-Z][A-Za-z ]+): (.+)$", text.split("\n\n")[0], re.M))
    for field in (
        "Contributors",
        "Tags",
        "Requires at least",
        "Tested up to",
        "Requires PHP",
        "Stable tag",
        "License",
    ):
        assert head.get(field), field
    header = main_header()
    assert head["Stable tag"] == header["Version"]
    assert head["Requires at least"] == header["Requires at least"]
    assert head["Requires PHP"] == header["Requires PHP"]
    assert head["License"] == header["License"]
    assert len(head["Tags"].split(",")) <= 5
    for section in ("== Description ==", "== Installation ==", "== Changelog =="):
        assert section in text


def test_the_option_is_documented_where_scripts_look():
    defaults = re.search(
        r"function defaults\(\).*?array\((.*?)\);",
        (PLUGIN / "includes/class-hushbook-settings.php").read_text(),
        re.S,
    ).group(1)
    keys = re.findall(r"'(\w+)'\s*=>", defaults)
    assert keys == ["service_url", "tenant_slug", "integration_key", "language", "theme", "accent"]
    settings_doc = (PLUGIN / "includes/class-hushbook-settings.php").read_text().split("*/")[0]
    readme = (PLUGIN / "readme.txt").read_text(encoding="utf-8")
    for text in (settings_doc, readme):
        assert "hushbook_settings" in text and "HUSHBOOK_INTEGRATION_KEY" in text
        for key in keys:
            assert key in text, key
    assert "delete_option( 'hushbook_settings' )" in (PLUGIN / "uninstall.php").read_text()


def test_block_json():
    block = json.loads((PLUGIN / "blocks/booking/block.json").read_text(encoding="utf-8"))
    assert block["name"] == "hushbook/booking"
    assert block["apiVersion"] <= 2  # WordPress 6.1
    assert block["render"] == "file:./render.php"
    assert block["editorScript"] == "file:./editor.js"
    assert block["textdomain"] == "hushbook"
    assert set(block["attributes"]) == {"service", "staff", "language"}
    assert (PLUGIN / "blocks/booking/editor.asset.php").is_file()  # else 6.1 skips the script
    main = (PLUGIN / "hushbook.php").read_text()
    assert "register_block_type( __DIR__ . '/blocks/booking' )" in main
    assert "add_action( 'init', 'hushbook_init' )" in main


def test_editor_script_uses_only_wordpress_globals():
    text = (PLUGIN / "blocks/booking/editor.js").read_text(encoding="utf-8")
    assert "import " not in text and "require(" not in text
    assert re.search(
        r"\}\s*\)\(\s*window\.wp\.blocks, window\.wp\.element, window\.wp\.blockEditor,"
        r" window\.wp\.components, window\.wp\.i18n \);",
        text,
    )
    deps = re.findall(
        r"'(wp-[a-z0-9-]+)'", (PLUGIN / "blocks/booking/editor.asset.php").read_text()
    )
    assert set(deps) == {"wp-blocks", "wp-element", "wp-block-editor", "wp-components", "wp-i18n"}


# --- translations -----------------------------------------------------------------------


def test_every_gettext_call_uses_the_hushbook_domain():
    seen = 0
    for path in PHP_FILES + JS_FILES:
        php = path.suffix == ".php"
        for name, args in calls(tokens(path), set(GETTEXT)):
            domain_at = GETTEXT[name][2]
            assert len(args) == domain_at + 1, f"{rel(path)}: {name}() without a text domain"
            domain = args[domain_at]
            assert len(domain) == 1 and literal(domain[0], php) == "hushbook", (
                f"{rel(path)}: {name}() with domain {domain}"
            )
            seen += 1
    assert seen > 50


def test_every_message_is_in_the_pot_and_translated():
    used = used_messages()
    pot = read_po(LANGUAGES / "hushbook.pot")
    po = read_po(LANGUAGES / "hushbook-de_DE.po")
    pot.pop((None, ""))
    header = po.pop((None, ""))
    assert "Language: de_DE" in header["msgstr"][0]
    assert "charset=UTF-8" in header["msgstr"][0]
    missing = set(used) - set(pot)
    assert not missing, f"not in hushbook.pot: {sorted(missing, key=str)}"
    stale = set(pot) - set(used)
    assert not stale, f"in hushbook.pot but no longer used: {sorted(stale, key=str)}"
    assert set(po) == set(pot)
    for key, entry in po.items():
        assert entry["msgstr"] and all(entry["msgstr"]), f"untranslated: {key}"
        assert "fuzzy" not in entry["flags"], f"fuzzy: {key}"
        placeholders = sorted(re.findall(r"%\d?\$?[sd]", key[1]))
        assert sorted(re.findall(r"%\d?\$?[sd]", entry["msgstr"][0])) == placeholders, key


def test_mo_is_compiled_from_the_po():
    po = read_po(LANGUAGES / "hushbook-de_DE.po")
    po.pop((None, ""))
    with (LANGUAGES / "hushbook-de_DE.mo").open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
    expected = {
        (f"{ctx}\x04" if ctx else "") + msgid: e["msgstr"][0] for (ctx, msgid), e in po.items()
    }
    compiled = {k: v for k, v in catalog.items() if k}
    assert compiled == expected


@pytest.mark.system  # msgfmt
def test_po_passes_msgfmt_check(tmp_path):
    done = subprocess.run(
        [
            need("msgfmt"),
            "--check",
            "--statistics",
            "-o",
            str(tmp_path / "de.mo"),
            str(LANGUAGES / "hushbook-de_DE.po"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "untranslated" not in done.stderr and "fuzzy" not in done.stderr, done.stderr
    with (
        (tmp_path / "de.mo").open("rb") as fresh,
        (LANGUAGES / "hushbook-de_DE.mo").open("rb") as old,
    ):
        assert gettext.GNUTranslations(fresh)._catalog == gettext.GNUTranslations(old)._catalog  # type: ignore[attr-defined]


def test_script_translations():
    """WordPress loads languages/hushbook-de_DE-<handle>.json for the editor script;
    the handle of block.json's editorScript is hushbook-booking-editor-script."""
    data = json.loads(
        (LANGUAGES / "hushbook-de_DE-hushbook-booking-editor-script.json").read_text(
            encoding="utf-8"
        )
    )
    messages = data["locale_data"]["messages"]
    messages.pop("")
    po = read_po(LANGUAGES / "hushbook-de_DE.po")
    in_js = {
        msgid
        for (ctx, msgid), where in used_messages().items()
        if ctx is None and where == "blocks/booking/editor.js"
    }
    js_calls = set()
    for _, args in calls(tokens(PLUGIN / "blocks/booking/editor.js"), set(GETTEXT)):
        js_calls.add(literal(args[0][0], php=False))
    assert in_js <= js_calls and set(messages) == js_calls
    for msgid, translation in messages.items():
        assert translation == po[(None, msgid)]["msgstr"], msgid
    main = (PLUGIN / "hushbook.php").read_text()
    assert (
        "wp_set_script_translations( 'hushbook-booking-editor-script', 'hushbook', __DIR__ . '/languages' )"
        in main
    )
    assert "load_plugin_textdomain( 'hushbook'," in main


# --- escaping, REST permissions, nonces, no stored data ---------------------------------

SAFE_CALLS = {
    "esc_html",
    "esc_attr",
    "esc_url",
    "esc_js",
    "esc_textarea",
    "wp_kses_post",
    "wp_kses",
    "esc_html__",
    "esc_attr__",
    "esc_html_x",
    "esc_attr_x",
    "absint",
    "intval",
    # These return fixed attribute text (e.g. " selected='selected'") or nothing.
    "selected",
    "checked",
    "disabled",
}


def safe_operand(toks, php=True) -> bool:
    """A string literal without interpolation, a number, or one call of a SAFE_CALLS
    function spanning the whole operand."""
    if len(toks) == 1:
        return toks[0][0] == "number" or literal(toks[0], php) is not None
    if len(toks) >= 3 and toks[0][0] == "name" and toks[0][1] in SAFE_CALLS and toks[1][1] == "(":
        depth = 0
        for i, tok in enumerate(toks[1:], 1):
            depth += tok[1] == "("
            depth -= tok[1] == ")"
            if depth == 0:
                return i == len(toks) - 1
    return False


def split_top(toks, separators):
    parts, current, depth = [], [], 0
    for tok in toks:
        if tok[0] == "op" and tok[1] in "([{":
            depth += 1
        elif tok[0] == "op" and tok[1] in ")]}":
            depth -= 1
        if depth == 0 and tok[0] == "op" and tok[1] in separators:
            parts.append(current)
            current = []
        else:
            current.append(tok)
    parts.append(current)
    return parts


@pytest.mark.parametrize("path", PHP_FILES, ids=rel)
def test_output_is_escaped(path):
    """A token-level heuristic: every operand of `echo`/`print` (split at top-level `.`
    and `,`) and every argument of `printf` is a plain literal, a number, or a call of
    an escaping function that spans the operand; `_e`, `_ex`, `vprintf`, `print_r`,
    `var_dump`, `var_export` and `<?=` are not used at all.

    Limits: it cannot tell whether the escaping fits the context (esc_attr in text,
    esc_html in a URL), it trusts selected()/checked()/disabled(), it does not see
    output made by other means (exit($x), wp_die($x), a template engine) and it
    assumes pure PHP files (test_lexer_assumptions). Returned HTML (a shortcode's
    string) is checked where it is printed, which is why the widget markup is printed
    with printf() inside an output buffer."""
    toks = tokens(path)
    text = path.read_text(encoding="utf-8")
    assert "<?=" not in text
    for i, (kind, word) in enumerate(toks):
        if kind != "name":
            continue
        assert word not in {"_e", "_ex", "vprintf", "print_r", "var_dump", "var_export"}, (
            f"{rel(path)}: {word}"
        )
        if word in ("echo", "print"):
            statement = []
            for tok in toks[i + 1 :]:
                if tok[1] == ";":
                    break
                statement.append(tok)
            for operand in split_top(statement, ".,"):
                assert safe_operand(operand), (
                    f"{rel(path)}: {word} {' '.join(t[1] for t in operand)}"
                )
    for _, args in calls(toks, {"printf"}):
        for arg in args:
            assert safe_operand(arg), f"{rel(path)}: printf argument {' '.join(t[1] for t in arg)}"


def test_every_rest_route_checks_permission():
    found = 0
    for path in PHP_FILES:
        for _, args in calls(tokens(path), {"register_rest_route"}):
            found += 1
            options = [t[1] for t in args[2]]
            assert "'permission_callback'" in options, rel(path)
            callback = options[options.index("'permission_callback'") + 2 :]
            assert "'__return_true'" not in callback[:3], rel(path)
    assert found >= 1
    proxy = (PLUGIN / "includes/class-hushbook-proxy.php").read_text()
    assert "'permission_callback' => array( __CLASS__, 'check_nonce' )" in proxy
    assert "const NONCE_ACTION = 'hushbook_public';" in proxy
    check = re.search(r"function check_nonce\(.*?\n\t\}", proxy, re.S).group()
    assert "get_header( 'X-Hushbook-Nonce' )" in check
    assert "wp_verify_nonce( $nonce, self::NONCE_ACTION )" in check
    assert "'status' => 403" in check
    render = (PLUGIN / "includes/class-hushbook-render.php").read_text()
    assert "'X-Hushbook-Nonce' => wp_create_nonce( Hushbook_Proxy::NONCE_ACTION )" in render


def test_admin_actions_check_capability_and_nonce():
    admin = (PLUGIN / "includes/class-hushbook-admin.php").read_text()
    test = re.search(r"function test_connection\(\).*?\n\t\}", admin, re.S).group()
    assert "current_user_can( 'manage_options' )" in test
    assert "check_ajax_referer( self::TEST_ACTION, 'nonce' )" in test
    assert "'nonce'   => wp_create_nonce( self::TEST_ACTION )" in admin
    menus = re.findall(r"add_(?:menu|submenu|options)_page\(.*?\);", admin, re.S)
    assert len(menus) == 3 and not any("add_options_page" in m for m in menus)
    assert all("'manage_options'" in m for m in menus), menus
    page = re.search(r"function page\(\).*?\n\t\}", admin, re.S).group()
    assert "current_user_can( 'manage_options' )" in page and "settings_fields(" in page
    status = re.search(r"function status_page\(\).*?\n\t\}", admin, re.S).group()
    assert "current_user_can( 'manage_options' )" in status.split("\n")[1]  # first thing
    assert "<form" not in status  # no form on the status page, so no nonce to check
    assert "add_action( 'wp_ajax_' . self::TEST_ACTION" in admin
    assert "wp_ajax_nopriv" not in admin


def test_the_integration_key_is_never_printed():
    admin = (PLUGIN / "includes/class-hushbook-admin.php").read_text()
    field = re.search(r"function field_integration_key\(\).*?\n\t\}", admin, re.S).group()
    assert "::integration_key()" not in field and "['integration_key'] )" not in field
    assert 'name="%s[integration_key]" value=""' in field
    for path in PHP_FILES:  # the rest asks Hushbook_Settings::has_key()
        if path.name not in {"class-hushbook-client.php", "class-hushbook-settings.php"}:
            assert "::integration_key()" not in path.read_text(), rel(path)


def names_in(path: Path) -> set[str]:
    return {text for kind, text in tokens(path) if kind == "name"}  # comments left out


def test_wordpress_stores_nothing_about_visitors():
    forbidden = {
        "update_option",
        "add_option",
        "set_transient",
        "set_site_transient",
        "update_post_meta",
        "add_post_meta",
        "update_user_meta",
        "wp_insert_post",
        "error_log",
        "setcookie",
        "wp_cache_set",
        "file_put_contents",
        "fwrite",
    }
    for path in PHP_FILES:
        hits = names_in(path) & forbidden
        assert not hits, f"{rel(path)}: {hits}"


def test_proxy_calls_the_service_as_documented():
    client = (PLUGIN / "includes/class-hushbook-client.php").read_text()
    proxy = (PLUGIN / "includes/class-hushbook-proxy.php").read_text()
    used = names_in(PLUGIN / "includes/class-hushbook-client.php") | names_in(
        PLUGIN / "includes/class-hushbook-proxy.php"
    )
    assert not {n for n in used if n.startswith("wp_safe_remote")}
    assert "wp_remote_get(" in client and "wp_remote_post(" in client
    assert "'Authorization'       => 'Bearer ' . Hushbook_Settings::integration_key()" in client
    assert "'Hushbook-Visitor-IP' => $visitor_ip" in client
    assert VISITOR_IP_HEADER == "Hushbook-Visitor-IP"
    assert "FILTER_VALIDATE_IP" in client and "$_SERVER['REMOTE_ADDR']" in client
    assert "'redirection'         => 0" in client
    assert "'bookings' === $route ? 20 : 10" in proxy
    assert "$response->header( 'Cache-Control', 'no-store' )" in proxy
    assert "$response->header( 'Retry-After', $retry )" in proxy


def test_allowed_keys_match_the_service_schemas():
    proxy = (PLUGIN / "includes/class-hushbook-proxy.php").read_text()
    block = re.search(r"const ROUTES = array\((.*?)\n\t\);", proxy, re.S).group(1)
    routes = {}
    for name, value in re.findall(r"'(\w+)'\s*=>\s*(null|array\([^)]*\))", block):
        routes[name] = None if value == "null" else re.findall(r"'(\w+)'", value)
    schemas = {
        "challenge": public_api.ChallengeRequestSchema,
        "offers": public_api.OfferRequestSchema,
        "bookings": public_api.BookingRequestSchema,
        "confirm": public_api.ConfirmRequestSchema,
    }
    assert set(routes) == {"catalog", *schemas}
    assert routes["catalog"] is None
    for route, schema in schemas.items():
        assert sorted(routes[route]) == sorted(schema().fields), route


def test_no_loopback_addresses():
    for path in PLUGIN.rglob("*"):
        if path.is_file() and path.suffix != ".mo" and WIDGET not in path.parents:
            hits = re.findall(r"localhost|127\.0\.0\.1", path.read_text(encoding="utf-8"))
            assert not hits, f"{rel(path)}: {hits}"


def test_no_loopback_urls_in_the_widget_copies():
    """The widget is built from plugins/widget/src; a loopback URL there ships here too."""
    for path in WIDGET.rglob("*"):
        if path.is_file():
            # The pattern of Plugin Check's localhost check.
            hits = re.findall(
                r"https?://(?:localhost|127\.0\.0\.1)(?::\d+)?", path.read_text(encoding="utf-8")
            )
            assert not hits, f"{rel(path)}: {hits} (fix it in plugins/widget/src and rebuild)"


# --- PHP without WordPress --------------------------------------------------------------

HARNESS = r"""<?php
// Stand-ins for the few WordPress functions the plugin calls outside WordPress.
define( 'ABSPATH', __DIR__ . '/' );
define( 'HUSHBOOK_VERSION', '0.1.0' );
define( 'HUSHBOOK_DIR', $argv[1] . '/' );
define( 'HUSHBOOK_FILE', $argv[1] . '/hushbook.php' );
$GLOBALS['options'] = array();
$GLOBALS['admin'] = false;
$GLOBALS['locale'] = 'de_DE';
$GLOBALS['notices'] = array();
function __( $t, $d = 'default' ) { return $t; }
function esc_html( $t ) { return htmlspecialchars( (string) $t, ENT_QUOTES ); }
function esc_attr( $t ) { return htmlspecialchars( (string) $t, ENT_QUOTES ); }
function esc_url( $t ) { return htmlspecialchars( (string) $t, ENT_QUOTES ); }
function esc_html__( $t, $d ) { return esc_html( $t ); }
function esc_url_raw( $u, $p ) { return in_array( strtolower( (string) parse_url( $u, PHP_URL_SCHEME ) ), $p, true ) ? $u : ''; }
function wp_parse_url( $u, $c = -1 ) { return parse_url( $u, $c ); }
function untrailingslashit( $s ) { return rtrim( $s, '/\\' ); }
function sanitize_hex_color( $c ) { return preg_match( '/^#([0-9a-fA-F]{3}){1,2}$/', $c ) ? $c : null; }
function get_option( $n, $d = false ) { return $GLOBALS['options'][ $n ] ?? $d; }
function add_settings_error( $s, $code, $m, $t ) { $GLOBALS['notices'][] = $code; }
function wp_json_encode( $d, $f = 0 ) { return json_encode( $d, $f ); }
function rest_url( $p ) { return 'https://salon.example/?rest_route=/' . $p; }
function wp_create_nonce( $a ) { return 'nonce:' . $a; }
function plugins_url( $p, $f ) { return 'https://salon.example/wp-content/plugins/hushbook/' . $p; }
function get_locale() { return $GLOBALS['locale']; }
function is_user_logged_in() { return $GLOBALS['admin']; }
function current_user_can( $c ) { return $GLOBALS['admin']; }
function admin_url( $p ) { return 'https://salon.example/wp-admin/' . $p; }
function wp_enqueue_script( $h ) { $GLOBALS['enqueued'][] = $h; }
function wp_enqueue_style( $h ) { $GLOBALS['enqueued'][] = $h; }
function shortcode_atts( $pairs, $atts ) { return array_merge( $pairs, array_intersect_key( $atts, $pairs ) ); }
// The status page's requests: $GLOBALS['http'] maps a URL to an answer; others fail.
$GLOBALS['http'] = array();
$GLOBALS['requests'] = array();
class WP_Error {
	private $message;
	function __construct( $code, $message ) { $this->message = $message; }
	function get_error_message() { return $this->message; }
}
function is_wp_error( $x ) { return $x instanceof WP_Error; }
function wp_remote_get( $url, $args ) {
	$GLOBALS['requests'][] = array( 'url' => $url, 'args' => $args );
	return $GLOBALS['http'][ $url ] ?? new WP_Error( 'http_request_failed', 'cURL error 7: Failed to connect to <b>book.example.org</b>' );
}
function wp_remote_retrieve_response_code( $r ) { return $r['response']['code']; }
function wp_remote_retrieve_body( $r ) { return $r['body']; }
function get_user_locale() { return $GLOBALS['locale']; }
function get_admin_page_title() { return 'Hushbook'; }
foreach ( array( 'settings', 'client', 'proxy', 'render', 'admin' ) as $part ) {
	require HUSHBOOK_DIR . "includes/class-hushbook-$part.php";
}
function render_block( $attributes ) {
	ob_start();
	require HUSHBOOK_DIR . 'blocks/booking/render.php';
	return ob_get_clean();
}
$out = array();
$offers = Hushbook_Proxy::ROUTES['offers'];
$out['filtered'] = Hushbook_Proxy::filter_body( '{"session":"s","pow":{"challenge":"c","nonce":"1"},"service_id":3,"evil":"x","weekdays":[],"staff_id":null}', $offers );
$out['nested_empty'] = Hushbook_Proxy::filter_body( '{"session":"s","sealed_profile":{},"contact":{"email":"a@b.example"}}', Hushbook_Proxy::ROUTES['bookings'] );
$out['empty'] = Hushbook_Proxy::filter_body( '', Hushbook_Proxy::ROUTES['challenge'] );
$out['list'] = Hushbook_Proxy::filter_body( '[1,2]', $offers );
$out['scalar'] = Hushbook_Proxy::filter_body( '"x"', $offers );
$out['broken'] = Hushbook_Proxy::filter_body( '{"session":', $offers );
$out['large'] = Hushbook_Proxy::filter_body( '{"session":"' . str_repeat( 'a', 16400 ) . '"}', $offers );
$out['normalized'] = Hushbook_Settings::normalize( array( 'service_url' => 'https://book.example.org/', 'tenant_slug' => 'Bad Slug', 'language' => 'fr', 'theme' => 'dark', 'accent' => '#ABCDEF', 'other' => 1 ) );
$out['urls'] = array_map( array( 'Hushbook_Settings', 'clean_url' ), array( 'http://10.0.0.5:8080', 'ftp://x.example', 'https://u:p@x.example', 'https://x.example/?a=1', 'https://x.example/hb/', 'javascript:alert(1)' ) );
$out['not_configured_visitor'] = render_block( array() );
$GLOBALS['admin'] = true;
$out['not_configured_admin'] = render_block( array() );
$GLOBALS['admin'] = false;
$GLOBALS['options']['hushbook_settings'] = array( 'service_url' => 'https://book.example.org', 'tenant_slug' => 'demo', 'integration_key' => 'hbk_stored', 'accent' => '#112233' );
$out['configured'] = Hushbook_Settings::is_configured();
$out['block'] = render_block( array( 'service' => 3, 'language' => '' ) );
$out['shortcode'] = Hushbook_Render::shortcode( array( 'service' => '3', 'staff' => 'x', 'language' => 'en', 'bogus' => '1' ) );
$GLOBALS['locale'] = 'en_US';
$out['block_en'] = render_block( array() );
$GLOBALS['options']['hushbook_settings']['language'] = 'de';
$out['block_setting_de'] = render_block( array() );
$GLOBALS['admin'] = true;
$out['block_logged_in'] = render_block( array( 'staff' => 7 ) );
$out['enqueued'] = array_values( array_unique( $GLOBALS['enqueued'] ) );
$out['keep_key'] = Hushbook_Settings::sanitize( array( 'service_url' => 'https://other.example', 'tenant_slug' => 'demo', 'integration_key' => '', 'language' => 'en' ) );
$out['new_key'] = Hushbook_Settings::sanitize( array( 'service_url' => 'ftp://nope', 'tenant_slug' => 'x', 'integration_key' => ' hbk_new ' ) );
$out['forget_key'] = Hushbook_Settings::sanitize( array( 'service_url' => 'http://192.168.1.2:5000', 'tenant_slug' => 'demo', 'forget_key' => '1' ) );
$out['notices'] = $GLOBALS['notices'];
$out['key_from_option'] = Hushbook_Settings::integration_key();
function reply( $code, $data ) {
	return array( 'response' => array( 'code' => $code ), 'body' => is_string( $data ) ? $data : json_encode( $data ) );
}
function status_page( $catalog, $me ) {
	$GLOBALS['http'] = array_filter( array( 'https://book.example.org/v1/public/demo/catalog' => $catalog, 'https://book.example.org/v1/auth/me' => $me ) );
	$GLOBALS['requests'] = array();
	ob_start();
	Hushbook_Admin::status_page();
	return array( 'html' => ob_get_clean(), 'requests' => $GLOBALS['requests'] );
}
$catalog = array( 'tenant_id' => 7, 'name' => 'Salon <script>alert(1)</script> & Co', 'services' => array( array( 'id' => 3 ) ), 'privacy_notices' => array( array( 'version' => 1 ) ), 'public_key' => 'pk' );
$me = array( 'tenant_id' => 7, 'role' => 'integration', 'permissions' => array( 'public:forward' ) );
$status = array();
$status['connected'] = status_page( reply( 200, $catalog ), reply( 200, $me ) );
$status['not_bookable'] = status_page( reply( 200, array_merge( $catalog, array( 'services' => array(), 'privacy_notices' => array(), 'public_key' => null ) ) ), reply( 200, $me ) );
$status['down'] = status_page( null, null );
$status['not_hushbook'] = status_page( reply( 200, '<html>' ), reply( 200, $me ) );
$status['server_error'] = status_page( reply( 500, '{}' ), reply( 200, $me ) );
$status['not_found'] = status_page( reply( 404, array( 'code' => 404 ) ), reply( 200, $me ) );
$status['key_rejected'] = status_page( reply( 200, $catalog ), reply( 401, array( 'code' => 401 ) ) );
$status['key_other_salon'] = status_page( reply( 200, $catalog ), reply( 200, array_merge( $me, array( 'tenant_id' => 8 ) ) ) );
$status['key_scope'] = status_page( reply( 200, $catalog ), reply( 200, array_merge( $me, array( 'permissions' => array( 'services:read' ) ) ) ) );
$status['key_unchecked'] = status_page( reply( 200, $catalog ), reply( 404, '<html>' ) );
$status['me_down'] = status_page( reply( 200, $catalog ), null );
$GLOBALS['locale'] = 'de_DE';
$status['connected_de'] = status_page( reply( 200, $catalog ), reply( 200, $me ) );
$GLOBALS['locale'] = 'en_US';
$stored = $GLOBALS['options']['hushbook_settings'];
$GLOBALS['options']['hushbook_settings'] = array( 'service_url' => 'https://x.example/"><script>alert(2)</script>', 'tenant_slug' => '<script>alert(3)</script>', 'integration_key' => 'hbk_stored' );
$status['markup_in_settings'] = status_page( null, null );
$GLOBALS['options']['hushbook_settings'] = $stored;
$GLOBALS['admin'] = false;
$status['not_admin'] = status_page( reply( 200, $catalog ), reply( 200, $me ) );
$GLOBALS['admin'] = true;
$out['status'] = $status;
define( 'HUSHBOOK_INTEGRATION_KEY', 'hbk_constant' );
$out['key_from_constant'] = Hushbook_Settings::integration_key();
echo json_encode( $out );
"""


@pytest.fixture(scope="module")
def php_run(tmp_path_factory):
    php = need("php")
    script = tmp_path_factory.mktemp("php") / "harness.php"
    script.write_text(HARNESS, encoding="utf-8")
    done = subprocess.run([php, str(script), str(PLUGIN)], capture_output=True, text=True)
    assert done.returncode == 0 and not done.stderr, done.stdout + done.stderr
    return json.loads(done.stdout)


def widget_config(markup: str) -> dict:
    match = re.fullmatch(
        r'<div class="hushbook-widget" data-hushbook-config="([^"]*)"></div>', markup
    )
    assert match, markup
    return json.loads(html.unescape(match.group(1)))


@pytest.mark.system  # the harness runs in php
def test_body_filter_keeps_known_keys_and_values(php_run):
    assert json.loads(php_run["filtered"]) == {
        "session": "s",
        "pow": {"challenge": "c", "nonce": "1"},
        "service_id": 3,
        "weekdays": [],
        "staff_id": None,
    }
    assert '"sealed_profile":{}' in php_run["nested_empty"]  # an object stays an object
    assert php_run["empty"] == "{}"
    assert php_run["list"] == php_run["scalar"] == php_run["broken"] == 400
    assert php_run["large"] == 413


@pytest.mark.system  # the harness runs in php
def test_settings_are_checked_when_read(php_run):
    assert php_run["normalized"] == {
        "service_url": "https://book.example.org",
        "tenant_slug": "",
        "integration_key": "",
        "language": "auto",
        "theme": "dark",
        "accent": "#abcdef",
    }
    assert php_run["urls"] == ["http://10.0.0.5:8080", "", "", "", "https://x.example/hb", ""]


@pytest.mark.system  # the harness runs in php
def test_settings_form_keeps_or_forgets_the_key(php_run):
    assert php_run["keep_key"]["integration_key"] == "hbk_stored"
    assert php_run["keep_key"]["service_url"] == "https://other.example"
    assert php_run["keep_key"]["language"] == "en"
    assert php_run["new_key"]["integration_key"] == "hbk_new"
    assert php_run["new_key"]["service_url"] == "https://book.example.org"  # invalid: kept
    assert php_run["new_key"]["tenant_slug"] == "demo"  # invalid: kept
    assert php_run["forget_key"]["integration_key"] == ""
    assert php_run["forget_key"]["service_url"] == "http://192.168.1.2:5000"
    assert php_run["notices"] == ["hushbook_url", "hushbook_slug"]  # no http warning: private
    assert php_run["key_from_option"] == "hbk_stored"
    assert php_run["key_from_constant"] == "hbk_constant"


@pytest.mark.system  # the harness runs in php
def test_widget_markup_and_config(php_run):
    assert php_run["not_configured_visitor"] == ""
    assert "wp-admin/admin.php?page=hushbook-settings" in php_run["not_configured_admin"]
    assert "hushbook-widget" not in php_run["not_configured_admin"]
    assert php_run["configured"] is True
    config = widget_config(php_run["block"])
    assert config == {
        "endpoints": {
            name: f"https://salon.example/?rest_route=/hushbook/v1/{name}"
            for name in ("catalog", "challenge", "offers", "bookings", "confirm")
        },
        "headers": {"X-Hushbook-Nonce": "nonce:hushbook_public"},
        "assets": "https://salon.example/wp-content/plugins/hushbook/assets/widget/",
        "lang": "de",  # from the locale de_DE
        "service": 3,
        "theme": "auto",
        "accent": "#112233",
    }
    shortcode = widget_config(php_run["shortcode"])
    assert shortcode["lang"] == "en" and shortcode["service"] == 3 and "staff" not in shortcode
    assert widget_config(php_run["block_en"])["lang"] == "en"
    assert widget_config(php_run["block_setting_de"])["lang"] == "de"
    logged_in = widget_config(php_run["block_logged_in"])
    assert logged_in["staff"] == 7
    assert logged_in["headers"] == {
        "X-Hushbook-Nonce": "nonce:hushbook_public",
        "X-WP-Nonce": "nonce:wp_rest",
    }
    assert php_run["enqueued"] == ["hushbook-widget"]
    for markup in (php_run["block"], php_run["shortcode"]):
        assert "hbk_" not in markup  # the key never reaches the browser


def status_of(case: dict) -> tuple[str, str]:
    """(state, the notice's text) of a rendered status page."""
    found = re.search(
        r'<div id="hushbook-state" class="notice notice-(\w+) inline" data-state="(\w+)">(.*?)</div>',
        case["html"],
        re.S,
    )
    assert found, case["html"]
    level, state, notice = found.groups()
    assert level == {
        "connected": "success",
        "not_bookable": "warning",
        "key_unchecked": "warning",
        "incomplete": "warning",
    }.get(state, "error")
    return state, html.unescape(re.sub(r"<[^>]+>", " ", notice))


@pytest.mark.system  # the harness runs in php
def test_status_page_states(php_run):
    cases = php_run["status"]
    expected = {
        "connected": (
            "connected",
            'Connected to the salon "Salon <script>alert(1)</script> & Co".',
        ),
        "not_bookable": ("not_bookable", "no encryption key yet"),
        "down": ("unreachable", "cURL error 7: Failed to connect to <b>book.example.org</b>"),
        "not_hushbook": ("unreachable", "but not a Hushbook service"),
        "server_error": ("unreachable", "HTTP status 500"),
        "not_found": ("not_found", 'does not know a salon "demo"'),
        "key_rejected": ("key_rejected", "The key is wrong, revoked or expired."),
        "key_other_salon": ("key_rejected", "The key belongs to another salon."),
        "key_scope": ("key_scope", "lacks the scope public:forward"),
        "key_unchecked": ("key_unchecked", "HTTP status 404"),
        "me_down": ("unreachable", "cURL error 7"),
        "connected_de": ("connected", "Connected to the salon"),
        "markup_in_settings": ("incomplete", "The salon slug is missing."),
    }
    for name, (state, text) in expected.items():
        got_state, notice = status_of(cases[name])
        assert (got_state, text in notice) == (state, True), (name, got_state, notice)
    not_bookable = status_of(cases["not_bookable"])[1]
    for gap in ("no encryption key yet", "No service can be booked", "no privacy notice yet"):
        assert gap in not_bookable
    assert cases["not_admin"] == {"html": "", "requests": []}
    # Incomplete settings ask nothing; an unknown salon or a dead service: no key check.
    assert cases["markup_in_settings"]["requests"] == []
    assert len(cases["not_found"]["requests"]) == len(cases["down"]["requests"]) == 1


@pytest.mark.system  # the harness runs in php
def test_status_page_requests_and_console_link(php_run):
    connected = php_run["status"]["connected"]
    catalog, me = connected["requests"]
    assert catalog["url"] == "https://book.example.org/v1/public/demo/catalog"
    assert "Authorization" not in catalog["args"]["headers"]  # the catalog is public
    assert me["url"] == "https://book.example.org/v1/auth/me"
    assert me["args"]["headers"]["Authorization"] == "Bearer hbk_stored"
    for request in (catalog, me):
        assert request["args"]["redirection"] == 0
        assert request["args"]["timeout"] <= 5
    link = re.search(
        r'<a class="button button-primary" id="hushbook-console" ([^>]*)>', connected["html"]
    )
    assert link, connected["html"]
    assert link.group(1) == (
        'href="https://book.example.org/console/?salon=demo&amp;lang=en" target="_blank"'
        ' rel="noopener noreferrer"'
    )
    de = php_run["status"]["connected_de"]["html"]
    assert 'href="https://book.example.org/console/?salon=demo&amp;lang=de"' in de
    assert 'href="https://salon.example/wp-admin/admin.php?page=hushbook-settings"' in de
    assert 'id="hushbook-console"' not in php_run["status"]["markup_in_settings"]["html"]


@pytest.mark.system  # the harness runs in php
def test_status_page_escapes_and_never_shows_the_key(php_run):
    for name, case in php_run["status"].items():
        page = case["html"]
        assert "hbk_" not in page, name
        assert "<script" not in page and "<b>" not in page, name
    connected = php_run["status"]["connected"]["html"]
    assert "Salon &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in connected
    assert "<code>https://book.example.org</code>" in connected and "<code>demo</code>" in connected
    assert "Stored in the settings (never shown)." in connected
    assert "&lt;b&gt;book.example.org&lt;/b&gt;" in php_run["status"]["down"]["html"]
