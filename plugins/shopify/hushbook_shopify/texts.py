"""Every sentence the app shows or answers, in English and German."""

from __future__ import annotations

import re

LANGUAGES = ("en", "de")

TEXT: dict[str, dict[str, str]] = {
    "en": {
        # proxy answers (the widget shows its own text for most of them)
        # the admin page
        "page_title": "Hushbook booking",
        "intro": "Customers tell you their wish and get a few fitting times to choose from — "
        "never your calendar. Bookings go to your salon's Hushbook service; Shopify never "
        "sees who booked.",
        "status_heading": "Connection",
        "checking": "Checking the connection…",
        "connect_heading": "Connect your salon",
        "service_url_label": "Service URL",
        "service_url_help": "The address of your Hushbook service, e.g. https://book.example.org",
        "slug_label": "Salon (slug)",
        "slug_help": "As in your booking link /book/your-salon",
        "key_label": "Integration key",
        "key_help": "An integration key of your salon with only the scope public:forward. "
        "It is stored encrypted and never shown again.",
        "key_stored": "A key is stored. Leave the field empty to keep it.",
        "key_not_stored": "No key is stored yet.",
        "remove_key": "Remove the stored key",
        "look_heading": "Look and language",
        "look_help": "Defaults for the booking block; each block can override them in the "
        "theme editor.",
        "language_label": "Language",
        "lang_auto": "Automatic (the shop's language)",
        "lang_de": "German",
        "lang_en": "English",
        "theme_label": "Look",
        "theme_auto": "Automatic (follows the visitor's device)",
        "theme_light": "Light",
        "theme_dark": "Dark",
        "accent_label": "Accent colour",
        "save": "Save",
        "saving": "Saving…",
        "test": "Test connection",
        "test_heading": "Connection test",
        "add_heading": "Add the booking form to your store",
        "add_text": "Open the theme editor with the Hushbook booking block ready to add, then "
        "save the theme. The block needs an Online Store 2.0 theme.",
        "add_index": "Add to the home page",
        "add_page": "Add to a page",
        "add_product": "Add to product pages",
        "console_heading": "Appointments and clients",
        "console_text": "Your appointments, clients and team are in your salon's Hushbook "
        "console. Sign in there with your Hushbook account.",
        "console_link": "Open the Hushbook console",
        "console_missing": "The link appears once the service URL and the slug are saved.",
        "privacy_heading": "Privacy",
        "privacy_intro": "This app stores no customer data, and Shopify receives nothing "
        "about bookings: the form sends each request through your store to your Hushbook "
        "service. Suggested text for your privacy policy (adapt it, and name who runs your "
        "Hushbook service and where):",
        "privacy_en_label": "English",
        "privacy_de_label": "German",
        "error_generic": "Something went wrong. Please reload the page.",
        "ok_word": "OK",
        "problem_word": "Problem",
        "not_configured": "Online booking is not set up yet. Please contact the shop directly.",
        "not_installed": "Online booking is not available in this shop.",
        "service_unavailable": "The booking service cannot be reached right now. "
        "Please try again in a few minutes.",
        "bad_gateway": "The booking service gave an unexpected answer. "
        "Please try again in a few minutes.",
        "too_large": "The request is too large.",
        "bad_request": "The request could not be read. Please reload the page and try again.",
        "unsupported_media_type": "The request must be JSON.",
        "method_not_allowed": "This address does not take this kind of request.",
        "not_found": "Not found.",
        "no_visitor_address": "Your connection could not be identified. Please try again later.",
        "unauthorized": "This request did not come through the shop.",
        # admin: states
        "state_connected": "Connected",
        "state_connected_text": 'Connected to the salon "{salon}". '
        "The booking block can take bookings.",
        "state_not_bookable": "Salon not bookable yet",
        "state_not_bookable_text": 'Connected to the salon "{salon}", '
        "but customers cannot book online yet:",
        "state_unreachable": "Service unreachable",
        "state_unreachable_text": "The app cannot reach the Hushbook service at the saved address. "
        "Check the service URL, or try again later.",
        "state_not_found": "Salon not found",
        "state_not_found_text": 'The service does not know a salon "{slug}". Check the slug.',
        "state_key_rejected": "Key rejected",
        "state_key_rejected_text": "The service does not accept the integration key. "
        "Create a new key for this salon and enter it here.",
        "state_key_scope": "Key lacks public:forward",
        "state_key_scope_text": "The service accepts the key, but it lacks the scope "
        "public:forward that the booking block needs. Create a key with only this scope.",
        "state_key_role": "Not an integration key",
        "state_key_role_text": "This is a staff sign-in, not an integration key. Create an "
        "integration key with only the scope public:forward and enter that.",
        "state_key_unchecked": "Key not checked",
        "state_key_unchecked_text": "The service answers, but did not say whether it "
        "accepts the key.",
        "state_incomplete": "Not connected",
        "state_incomplete_text": "Enter the service URL, your salon's slug and an integration key.",
        # admin: details
        "missing_url": "The service URL is missing.",
        "missing_slug": "The salon slug is missing.",
        "missing_key": "The integration key is missing.",
        "http_status": "The service answered with HTTP status {status}. Check the service URL.",
        "not_hushbook": "Something answers at this address, but not a Hushbook service. "
        "Check the service URL.",
        "unreachable_detail": "No answer from the service ({reason}).",
        "private_address": "This address is on a private network, which this app does not call.",
        "key_wrong": "The key is wrong, revoked or expired.",
        "key_other_salon": "The key belongs to another salon.",
        "key_status": "Testing the integration key gave HTTP status {status}.",
        "gap_vault": "The salon has no encryption key yet: the owner must set up the vault "
        "in Hushbook before customers can book.",
        "gap_services": "No service can be booked online yet: add a service with a team member "
        "who works on it.",
        "gap_notices": "The salon has no privacy notice yet: customers cannot give their "
        "consent, so they cannot book.",
        "ok_catalog": 'The service answers and knows the salon "{salon}".',
        "ok_key": "The integration key is accepted and may forward visitors (public:forward).",
        "ok_bookable": "The salon can take bookings online.",
        "stealth_on": "Stealth mode is on.",
        "stealth_off": "Stealth mode is off: visitors get the earliest fitting times, "
        "without rate limits or security checks.",
        # admin: settings validation
        "bad_url": "Enter the service's address, e.g. https://book.example.org "
        "(http or https, no user name, query or fragment).",
        "bad_slug": "The slug has 3 to 63 lower-case letters, digits and dashes.",
        "bad_key": "This does not look like an integration key.",
        "bad_choice": "Choose one of the offered values.",
        "bad_accent": "Give the accent colour as #rrggbb.",
        "saved": "Saved.",
        "defaults_not_published": "The look could not be passed to your theme right now; "
        "each block's own settings still apply. Save again later.",
        "key_removed": "The stored key was removed.",
        "no_token": "Shopify did not hand out an access token for this shop. "
        "Reload the page; if this stays, reinstall the app.",
    },
    "de": {
        "page_title": "Hushbook-Buchung",
        "intro": "Ihre Kundinnen und Kunden nennen ihren Wunsch und bekommen ein paar "
        "passende Zeiten zur Auswahl – nie Ihren Kalender. Buchungen gehen an den "
        "Hushbook-Dienst Ihres Salons; Shopify erfährt nicht, wer gebucht hat.",
        "status_heading": "Verbindung",
        "checking": "Die Verbindung wird geprüft …",
        "connect_heading": "Salon verbinden",
        "service_url_label": "Adresse des Dienstes",
        "service_url_help": "Die Adresse Ihres Hushbook-Dienstes, z. B. https://book.example.org",
        "slug_label": "Salon (Kürzel)",
        "slug_help": "Wie in Ihrem Buchungslink /book/ihr-salon",
        "key_label": "Integrationsschlüssel",
        "key_help": "Ein Integrationsschlüssel Ihres Salons mit nur dem Recht public:forward. "
        "Er wird verschlüsselt gespeichert und nie wieder angezeigt.",
        "key_stored": "Ein Schlüssel ist gespeichert. Lassen Sie das Feld leer, um ihn zu "
        "behalten.",
        "key_not_stored": "Noch kein Schlüssel gespeichert.",
        "remove_key": "Gespeicherten Schlüssel entfernen",
        "look_heading": "Aussehen und Sprache",
        "look_help": "Voreinstellungen für den Buchungsblock; jeder Block kann sie im "
        "Theme-Editor ändern.",
        "language_label": "Sprache",
        "lang_auto": "Automatisch (Sprache des Shops)",
        "lang_de": "Deutsch",
        "lang_en": "Englisch",
        "theme_label": "Aussehen",
        "theme_auto": "Automatisch (folgt dem Gerät der Besucher)",
        "theme_light": "Hell",
        "theme_dark": "Dunkel",
        "accent_label": "Akzentfarbe",
        "save": "Speichern",
        "saving": "Wird gespeichert …",
        "test": "Verbindung testen",
        "test_heading": "Verbindungstest",
        "add_heading": "Das Buchungsformular in den Shop einbauen",
        "add_text": "Öffnen Sie den Theme-Editor mit dem Hushbook-Buchungsblock und speichern "
        "Sie das Theme. Der Block braucht ein Online-Store-2.0-Theme.",
        "add_index": "Zur Startseite hinzufügen",
        "add_page": "Zu einer Seite hinzufügen",
        "add_product": "Zu Produktseiten hinzufügen",
        "console_heading": "Termine und Kundschaft",
        "console_text": "Termine, Kundschaft und Team verwalten Sie in der Hushbook-Konsole "
        "Ihres Salons. Dort melden Sie sich mit Ihrem Hushbook-Konto an.",
        "console_link": "Hushbook-Konsole öffnen",
        "console_missing": "Der Link erscheint, sobald Adresse und Kürzel gespeichert sind.",
        "privacy_heading": "Datenschutz",
        "privacy_intro": "Diese App speichert keine Kundendaten, und Shopify erfährt nichts "
        "über Buchungen: Das Formular schickt jede Anfrage über Ihren Shop an Ihren "
        "Hushbook-Dienst. Vorschlag für Ihre Datenschutzerklärung (passen Sie ihn an und "
        "nennen Sie, wer Ihren Hushbook-Dienst betreibt und wo):",
        "privacy_en_label": "Englisch",
        "privacy_de_label": "Deutsch",
        "error_generic": "Etwas ist schiefgegangen. Bitte laden Sie die Seite neu.",
        "ok_word": "OK",
        "problem_word": "Problem",
        "not_configured": "Die Online-Buchung ist noch nicht eingerichtet. "
        "Bitte wenden Sie sich direkt an den Shop.",
        "not_installed": "Die Online-Buchung ist in diesem Shop nicht verfügbar.",
        "service_unavailable": "Der Buchungsdienst ist gerade nicht erreichbar. "
        "Bitte versuchen Sie es in ein paar Minuten erneut.",
        "bad_gateway": "Der Buchungsdienst hat unerwartet geantwortet. "
        "Bitte versuchen Sie es in ein paar Minuten erneut.",
        "too_large": "Die Anfrage ist zu groß.",
        "bad_request": "Die Anfrage konnte nicht gelesen werden. "
        "Bitte laden Sie die Seite neu und versuchen Sie es erneut.",
        "unsupported_media_type": "Die Anfrage muss JSON sein.",
        "method_not_allowed": "Diese Adresse nimmt diese Art von Anfrage nicht an.",
        "not_found": "Nicht gefunden.",
        "no_visitor_address": "Ihre Verbindung konnte nicht zugeordnet werden. "
        "Bitte versuchen Sie es später erneut.",
        "unauthorized": "Diese Anfrage kam nicht über den Shop.",
        "state_connected": "Verbunden",
        "state_connected_text": "Verbunden mit dem Salon „{salon}“. "
        "Der Buchungsblock kann Buchungen annehmen.",
        "state_not_bookable": "Salon noch nicht buchbar",
        "state_not_bookable_text": "Verbunden mit dem Salon „{salon}“, aber Kundinnen und "
        "Kunden können noch nicht online buchen:",
        "state_unreachable": "Dienst nicht erreichbar",
        "state_unreachable_text": "Die App erreicht den Hushbook-Dienst unter der gespeicherten "
        "Adresse nicht. Prüfen Sie die Adresse oder versuchen Sie es später erneut.",
        "state_not_found": "Salon nicht gefunden",
        "state_not_found_text": "Der Dienst kennt keinen Salon „{slug}“. Prüfen Sie das Kürzel.",
        "state_key_rejected": "Schlüssel abgelehnt",
        "state_key_rejected_text": "Der Dienst nimmt den Integrationsschlüssel nicht an. Legen Sie "
        "einen neuen Schlüssel für diesen Salon an und tragen Sie ihn hier ein.",
        "state_key_scope": "Schlüssel ohne public:forward",
        "state_key_scope_text": "Der Dienst nimmt den Schlüssel an, aber ihm fehlt das Recht "
        "public:forward, das der Buchungsblock braucht. Legen Sie einen Schlüssel mit nur "
        "diesem Recht an.",
        "state_key_role": "Kein Integrationsschlüssel",
        "state_key_role_text": "Das ist eine Mitarbeiter-Anmeldung, kein Integrationsschlüssel. "
        "Legen Sie einen Integrationsschlüssel mit nur dem Recht public:forward an.",
        "state_key_unchecked": "Schlüssel nicht geprüft",
        "state_key_unchecked_text": "Der Dienst antwortet, sagt aber nicht, ob er den Schlüssel "
        "annimmt.",
        "state_incomplete": "Nicht verbunden",
        "state_incomplete_text": "Tragen Sie die Adresse des Dienstes, das Kürzel Ihres Salons "
        "und einen Integrationsschlüssel ein.",
        "missing_url": "Die Adresse des Dienstes fehlt.",
        "missing_slug": "Das Kürzel des Salons fehlt.",
        "missing_key": "Der Integrationsschlüssel fehlt.",
        "http_status": "Der Dienst antwortete mit HTTP-Status {status}. Prüfen Sie die Adresse.",
        "not_hushbook": "Unter dieser Adresse antwortet etwas, aber kein Hushbook-Dienst. "
        "Prüfen Sie die Adresse.",
        "unreachable_detail": "Keine Antwort vom Dienst ({reason}).",
        "private_address": "Diese Adresse liegt in einem privaten Netz, das diese App nicht "
        "aufruft.",
        "key_wrong": "Der Schlüssel ist falsch, widerrufen oder abgelaufen.",
        "key_other_salon": "Der Schlüssel gehört zu einem anderen Salon.",
        "key_status": "Die Prüfung des Schlüssels ergab HTTP-Status {status}.",
        "gap_vault": "Der Salon hat noch keinen Verschlüsselungsschlüssel: Die Inhaberin oder der "
        "Inhaber muss in Hushbook den Tresor einrichten, bevor gebucht werden kann.",
        "gap_services": "Noch keine Leistung ist online buchbar: Legen Sie eine Leistung mit einer "
        "Person an, die sie anbietet.",
        "gap_notices": "Der Salon hat noch keinen Datenschutzhinweis: Ohne ihn kann niemand "
        "einwilligen und buchen.",
        "ok_catalog": "Der Dienst antwortet und kennt den Salon „{salon}“.",
        "ok_key": "Der Integrationsschlüssel wird angenommen und darf Besucher weiterreichen "
        "(public:forward).",
        "ok_bookable": "Der Salon kann online Buchungen annehmen.",
        "stealth_on": "Der Tarnmodus ist an.",
        "stealth_off": "Der Tarnmodus ist aus: Besucher bekommen die frühesten passenden Zeiten, "
        "ohne Begrenzung und Sicherheitsprüfung.",
        "bad_url": "Geben Sie die Adresse des Dienstes an, z. B. https://book.example.org "
        "(http oder https, ohne Benutzername, Abfrage oder Fragment).",
        "bad_slug": "Das Kürzel hat 3 bis 63 Kleinbuchstaben, Ziffern und Bindestriche.",
        "bad_key": "Das sieht nicht wie ein Integrationsschlüssel aus.",
        "bad_choice": "Wählen Sie einen der angebotenen Werte.",
        "bad_accent": "Geben Sie die Akzentfarbe als #rrggbb an.",
        "saved": "Gespeichert.",
        "defaults_not_published": "Das Aussehen konnte gerade nicht an Ihr Theme übergeben "
        "werden; die Einstellungen jedes Blocks gelten weiter. Speichern Sie später erneut.",
        "key_removed": "Der gespeicherte Schlüssel wurde entfernt.",
        "no_token": "Shopify hat für diesen Shop kein Zugriffstoken ausgegeben. Laden Sie die "
        "Seite neu; wenn das bleibt, installieren Sie die App neu.",
    },
}


def t(lang: str, key: str, **values: object) -> str:
    text = TEXT.get(lang, TEXT["en"]).get(key) or TEXT["en"][key]
    return text.format(**values) if values else text


def language(*candidates: str | None) -> str:
    """``de`` or ``en`` from the first candidate that names one (a Shopify locale such
    as ``de-DE``, an Accept-Language value, or a stored default)."""
    for value in candidates:
        if not value or value == "auto":
            continue
        first = re.split(r"[,;]", value.strip(), maxsplit=1)[0].strip().lower()
        code = first.split("-")[0].split("_")[0]
        if code in LANGUAGES:
            return code
        if code:
            return "en"
    return "en"


PRIVACY_POLICY = {
    "en": (
        "When you book an appointment in this shop, the booking form sends your request "
        "through this shop to our booking service Hushbook. Neither this shop nor Shopify "
        "stores what you enter, and no cookies are set for the booking.",
        "To protect our appointment calendar against automated queries, your IP address is "
        "passed to the booking service with every booking request. The service uses it only "
        "to limit the number of requests per address and network; it keeps keyed hashes of "
        "the address for a short time, not the address itself.",
        "Your name and any other details about you are encrypted in your browser before they "
        "are sent; only our salon can read them. Your e-mail address or phone number is used "
        "to send you the confirmation code and, if you agree, reminders; for that it is "
        "stored encrypted and made unreadable for good at the latest 45 days after the "
        "appointment.",
        "A booking that you do not confirm expires after a short time and is erased together "
        "with the details entered for it.",
    ),
    "de": (
        "Wenn Sie in diesem Shop einen Termin buchen, schickt das Buchungsformular Ihre "
        "Anfrage über diesen Shop an unseren Buchungsdienst Hushbook. Weder dieser Shop noch "
        "Shopify speichert, was Sie eingeben, und für die Buchung werden keine Cookies "
        "gesetzt.",
        "Um unseren Terminkalender vor automatisierten Abfragen zu schützen, wird Ihre "
        "IP-Adresse mit jeder Buchungsanfrage an den Buchungsdienst übermittelt. Der Dienst "
        "nutzt sie nur, um die Zahl der Anfragen je Adresse und Netz zu begrenzen; er "
        "speichert für kurze Zeit verschlüsselte Prüfsummen (Hashes) der Adresse, nicht die "
        "Adresse selbst.",
        "Ihr Name und weitere Angaben zu Ihnen werden schon in Ihrem Browser verschlüsselt, "
        "bevor sie gesendet werden; nur unser Salon kann sie lesen. Ihre E-Mail-Adresse oder "
        "Telefonnummer dient dazu, Ihnen den Bestätigungscode und, wenn Sie zustimmen, "
        "Erinnerungen zu schicken; dafür wird sie verschlüsselt gespeichert und spätestens "
        "45 Tage nach dem Termin endgültig unlesbar gemacht.",
        "Eine Buchung, die Sie nicht bestätigen, verfällt nach kurzer Zeit und wird mitsamt "
        "den dafür eingegebenen Angaben gelöscht.",
    ),
}
