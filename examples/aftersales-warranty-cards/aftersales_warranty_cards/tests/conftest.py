"""The plugin's tests run on an app with only this plugin (and core).

``core.testing`` (loaded with ``-p core.testing``) provides ``make_app``, ``client``,
``session``, ``login_as`` and ``api_headers``; they all use the ``app`` fixture, which is
redefined here so that it boots this plugin from its package, whether or not it is installed.
"""

import pytest

PLUGIN = "warranty_cards"
PACKAGE = "aftersales_warranty_cards"


@pytest.fixture
def app(make_app):
    flask_app = make_app(plugins=[PLUGIN], packages=[PACKAGE])
    with flask_app.app_context():
        yield flask_app
