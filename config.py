"""Default settings of AfterSales.

Every value here can be overridden, in this order (last wins):

1. this module;
2. a Python file named by the ``AFTERSALES_CONFIG`` environment variable;
3. environment variables ``AFTERSALES_<NAME>``, read as the type declared here (by annotation
   or default value): a list takes ``contracts,maintenance`` or a JSON list, a boolean
   ``true/false``, ``yes/no``, ``1/0``; a value of the wrong type stops start-up with one message
   naming the setting and the type it expects (``core.settings_types``);
4. the ``overrides`` mapping passed to ``core.create_app`` (tests use this).

``DATABASE_URL`` selects the database: SQLite under the instance folder by default,
``postgresql+psycopg://user@host/db`` for PostgreSQL.
"""

from flask_appbuilder.const import AUTH_DB

# --- Application -----------------------------------------------------------------------------
APP_NAME = "AfterSales"
APP_ICON = ""
# None: the database file ``aftersales.db`` inside the instance folder.
DATABASE_URL: str | None = None
# None: ``./instance`` under the current directory. Holds the SQLite file and the secret key.
INSTANCE_PATH: str | None = None

# --- Plugins ---------------------------------------------------------------------------------
# None: every installed plugin. A list of names: only these (plus what they depend on).
ENABLED_PLUGINS: list[str] | None = None
# Plugins never to load, whatever else says (an emergency switch, like tox's set_blocked).
BLOCKED_PLUGINS: list[str] = []
# Seconds between two checks of the module generation counter in a worker (0: every request).
MODULE_CHECK_INTERVAL = 1.0

# --- Security --------------------------------------------------------------------------------
AUTH_TYPE = AUTH_DB
AUTH_ROLE_ADMIN = "Admin"
AUTH_ROLE_PUBLIC = "Public"
AUTH_USER_REGISTRATION = False
FAB_PASSWORD_HASH_METHOD = "scrypt"
# Rate limits: the login form and the REST login share one budget per client address.
RATELIMIT_ENABLED = True
AUTH_RATE_LIMITED = True
AUTH_RATE_LIMIT = "10 per minute"
RATELIMIT_STORAGE_URI = "memory://"
# This many failed logins in a row lock the account for AUTH_LOCKOUT_MINUTES (0: never).
AUTH_LOCKOUT_ATTEMPTS = 5
AUTH_LOCKOUT_MINUTES = 15
# "https" behind TLS: Secure cookies and Strict-Transport-Security (see docs/deploy.md).
PREFERRED_URL_SCHEME = "http"
HSTS_MAX_AGE = 31536000
REFERRER_POLICY = "strict-origin-when-cross-origin"
# CSRF protection on every form and non-API POST.
WTF_CSRF_ENABLED = True
WTF_CSRF_TIME_LIMIT = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- REST API --------------------------------------------------------------------------------
FAB_API_SWAGGER_UI = True
FAB_API_MAX_PAGE_SIZE = 100
# Permissions and tables are managed by our migrations and role sync, not by FAB at import.
FAB_CREATE_DB = False
FAB_UPDATE_PERMS = False
FAB_ADD_SECURITY_API = False
# Sync plugin roles and permissions when an app starts (idempotent).
SYNC_PERMISSIONS_ON_START = True

# --- Languages -------------------------------------------------------------------------------
BABEL_DEFAULT_LOCALE = "en"
LANGUAGES = {
    "en": {"flag": "gb", "name": "English"},
    "zh": {"flag": "cn", "name": "简体中文"},
    "zh_TW": {"flag": "tw", "name": "繁體中文"},
}

# --- Company defaults (editable on the Company screen) ---------------------------------------
COMPANY_NAME = "AfterSales Demo Co."
COMPANY_TIME_ZONE = "Asia/Shanghai"
COMPANY_CURRENCY = "CNY"

# --- Jobs ------------------------------------------------------------------------------------
# None: jobs run in-process (APScheduler) in `aftersales serve`. A broker URL: Celery.
CELERY_BROKER_URL: str | None = None
CELERY_RESULT_BACKEND: str | None = None
SCHEDULER_ENABLED = True

# --- Mail ------------------------------------------------------------------------------------
MAIL_SERVER: str | None = None
MAIL_PORT = 25
MAIL_USE_TLS = False
MAIL_USERNAME: str | None = None
MAIL_PASSWORD: str | None = None
MAIL_DEFAULT_SENDER = "aftersales@localhost"

# --- Modules (continued) ---------------------------------------------------------------------
# Migrate a module's tables when an admin enables it (before any worker switches to it).
MIGRATE_ON_ENABLE = True
