"""Notifications: in-app messages per user, e-mail through an outbox, sent once."""

import datetime
import email
import email.policy
import logging
import socket
import threading
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from core.extensions import db
from core.notifications.models import MailOutbox, Notification
from core.notifications.service import (
    NotificationError,
    notify,
    send_pending_mail,
    unread_count,
)
from core.runtime import hooks
from core.testing import create_user, csrf_token_from, token_headers
from core.timeutil import utcnow

CHINESE_TITLE = "工单 WO-2026-00042 已派工"
CHINESE_BODY = "请于明天上午九点前往上海市浦东新区检修电梯。\n联系人：王先生"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it receives, or refuses it."""

    def __init__(self, refuse=None):
        self.messages = []
        self.refuse = refuse

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return self.refuse
        self.messages.append(
            (
                envelope.rcpt_tos,
                email.message_from_bytes(envelope.content, policy=email.policy.default),
            )
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    started = []

    def start(refuse=None):
        inbox = Inbox(refuse)
        controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
        controller.start()
        started.append(controller)
        return inbox, {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": controller.port}

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def app(make_app):
    flask_app = make_app(plugins=[])
    with flask_app.app_context():
        yield flask_app


def mail_settings(app, server):
    return {**app.config, **server}


def outbox():
    return list(db.session.scalars(select(MailOutbox).order_by(MailOutbox.id)))


def test_notify_writes_the_notification_and_its_mail_in_the_callers_transaction(app):
    user = create_user(app, ["Admin"], username="wang")
    notify(db.session, user, "Contract renewed", "CT-2026-00001 runs until 2027.")
    db.session.rollback()
    assert db.session.scalars(select(Notification)).all() == []
    assert outbox() == []
    [note] = notify(db.session, user, "Contract renewed", "CT-2026-00001 runs until 2027.")
    db.session.commit()
    [mail] = outbox()
    assert (note.user_id, note.read_on) == (user.id, None)
    assert (mail.to_address, mail.status, mail.attempts) == ("wang@example.com", "pending", 0)
    assert mail.notification_id == note.id


def test_mail_arrives_once_with_its_recipient_and_chinese_text_intact(app, smtp_server):
    inbox, server = smtp_server()
    user = create_user(app, ["Admin"], username="li")
    notify(db.session, user, CHINESE_TITLE, CHINESE_BODY, link="/workorders/42")
    db.session.commit()
    first = send_pending_mail(db.session, settings=mail_settings(app, server))
    second = send_pending_mail(db.session, settings=mail_settings(app, server))
    assert (first.sent, first.failed, first.pending) == (1, 0, 0)
    assert (second.sent, second.failed) == (0, 0)
    [(recipients, message)] = inbox.messages
    assert recipients == ["li@example.com"]
    assert message["To"] == "li@example.com"
    assert message["Subject"] == CHINESE_TITLE
    text = message.get_content().replace("\r\n", "\n")  # lines travel as CRLF
    assert text.startswith(CHINESE_BODY)
    assert "/workorders/42" in text
    [mail] = outbox()
    assert (mail.status, mail.attempts, mail.last_error) == ("sent", 1, None)
    assert mail.sent_on is not None


def test_a_refusing_server_leaves_the_mail_pending_with_the_error(app, smtp_server):
    inbox, server = smtp_server(refuse="554 5.7.1 Message rejected by policy")
    notify(db.session, create_user(app, ["Admin"]), "Invoice due", "Please pay.")
    db.session.commit()
    result = send_pending_mail(db.session, settings=mail_settings(app, server))
    assert (result.sent, result.failed) == (0, 1)
    [mail] = outbox()
    assert (mail.status, mail.attempts) == ("pending", 1)
    assert "554" in mail.last_error and "rejected by policy" in mail.last_error
    assert mail.next_attempt_on is not None
    assert inbox.messages == []


def test_an_unreachable_server_leaves_the_mail_pending_and_it_is_retried_later(app, smtp_server):
    notify(db.session, create_user(app, ["Admin"], username="zhao"), "Survey", "Rate us.")
    db.session.commit()
    down = {**app.config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": free_port()}
    result = send_pending_mail(db.session, settings=down)
    assert (result.sent, result.failed) == (0, 1)
    [mail] = outbox()
    assert (mail.status, mail.attempts) == ("pending", 1)
    assert "Connection" in mail.last_error or "refused" in mail.last_error.lower()
    inbox, server = smtp_server()
    settings = mail_settings(app, server)
    assert send_pending_mail(db.session, settings=settings).sent == 0  # not due yet
    later = utcnow() + datetime.timedelta(hours=2)
    assert send_pending_mail(db.session, settings=settings, now=later).sent == 1
    assert [rcpt for rcpt, _ in inbox.messages] == [["zhao@example.com"]]
    db.session.expire_all()
    assert outbox()[0].status == "sent"


def test_a_mail_is_given_up_after_the_maximum_attempts(app, smtp_server):
    _, server = smtp_server(refuse="550 No such mailbox")
    notify(db.session, create_user(app, ["Admin"]), "Reminder", "Maintenance tomorrow.")
    db.session.commit()
    settings = {**mail_settings(app, server), "MAIL_MAX_ATTEMPTS": 2}
    moment = utcnow()
    for _ in range(3):
        send_pending_mail(db.session, settings=settings, now=moment)
        moment += datetime.timedelta(hours=2)
    [mail] = outbox()
    assert (mail.status, mail.attempts) == ("failed", 2)


@pytest.mark.postgres
def test_two_senders_at_once_send_each_mail_once(app, smtp_server):
    inbox, server = smtp_server()
    users = [create_user(app, ["Admin"], username=f"parallel{i}") for i in range(12)]
    notify(db.session, users, "Quarterly maintenance", "Scheduled for next week.")
    db.session.commit()
    settings = mail_settings(app, server)
    start = threading.Barrier(2)
    results, errors = [], []

    def sender():
        try:
            with app.app_context():
                start.wait()
                results.append(send_pending_mail(db.session, settings=settings))
                db.session.remove()
        except Exception as exc:  # reported below, so a failing thread fails the test
            errors.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    received = sorted(rcpt for rcpts, _ in inbox.messages for rcpt in rcpts)
    assert received == sorted(u.email for u in users)  # each exactly once
    assert sum(r.sent for r in results) == 12
    db.session.expire_all()
    assert {m.status for m in outbox()} == {"sent"}


def test_without_a_mail_server_mail_stays_pending_and_a_warning_is_logged(app, caplog):
    notify(db.session, create_user(app, ["Admin"]), "Reminder", "Maintenance tomorrow.")
    db.session.commit()
    with caplog.at_level(logging.WARNING):
        result = send_pending_mail(db.session, settings={**app.config, "MAIL_SERVER": None})
    assert (result.sent, result.pending) == (0, 1)
    assert "MAIL_SERVER" in caplog.text
    assert outbox()[0].status == "pending"


def test_the_mail_job_is_registered_and_uses_the_job_context(app, smtp_server):
    inbox, server = smtp_server()
    [job] = [j for j in hooks(app).jobs() if j.name == "core.send_mail"]
    assert job.schedule == "* * * * *"
    notify(db.session, create_user(app, ["Admin"]), "Hello", "From the job.")
    db.session.commit()
    reports = []
    context = SimpleNamespace(session=db.session, progress=lambda *a: reports.append(a))
    app.config.update(server)
    job.run(context)
    assert len(inbox.messages) == 1
    assert reports[-1][:2] == (1, 1)


def test_a_role_reaches_each_active_member_once(app):
    sm = app.appbuilder.sm
    one = create_user(app, ["Dispatcher", "Admin"], username="one")
    two = create_user(app, ["Dispatcher"], username="two")
    gone = create_user(app, ["Dispatcher"], username="gone")
    gone.active = False
    db.session.commit()
    notes = notify(db.session, ["Dispatcher", sm.find_role("Admin"), one], "New request", "")
    assert sorted(n.user_id for n in notes) == sorted([one.id, two.id])


def test_unknown_recipients_and_bad_links_are_refused_naming_the_argument(app):
    user = create_user(app, ["Admin"])
    with pytest.raises(NotificationError) as error:
        notify(db.session, ["No such role"], "Hi", "")
    assert error.value.field == "users_or_roles" and "No such role" in str(error.value)
    with pytest.raises(NotificationError) as error:
        notify(db.session, user, "Hi", "", link="javascript:alert(1)")
    assert error.value.field == "link"
    with pytest.raises(NotificationError) as error:
        notify(db.session, user, "  ", "")
    assert error.value.field == "title"


def test_a_user_sees_and_marks_only_their_own_notifications(app, client, login_as):
    other = create_user(app, ["Admin"], username="other")
    [theirs] = notify(db.session, other, "For the other user", "secret plans")
    me = login_as("Admin", username="me")
    notify(db.session, me, "Mine first", "")
    notify(db.session, me, "Mine second", "", link="/auditlog/list/")
    db.session.commit()
    page = client.get("/notifications/")
    assert page.status_code == 200
    assert "Mine first" in page.text and "Mine second" in page.text
    assert "For the other user" not in page.text
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 404
    assert client.post(f"/notifications/{theirs.id}/open").status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_on is None
    assert unread_count(db.session, me.id) == 2
    mine = db.session.scalars(select(Notification).where(Notification.title == "Mine second")).one()
    opened = client.post(f"/notifications/{mine.id}/open")
    assert opened.status_code == 302 and opened.location.endswith("/auditlog/list/")
    assert unread_count(db.session, me.id) == 1
    assert client.post("/notifications/read_all").status_code == 302
    assert unread_count(db.session, me.id) == 0
    assert unread_count(db.session, other.id) == 1


def test_my_notifications_needs_a_signed_in_user(app, client):
    assert client.get("/notifications/").status_code == 302
    assert client.post("/notifications/read_all").status_code == 302
    assert client.get("/api/v1/notifications/unread_count").status_code == 401


def test_marking_read_needs_the_csrf_token(make_app):
    app = make_app(config={"WTF_CSRF_ENABLED": True})
    client = app.test_client()
    with app.app_context():
        user = create_user(app, ["Admin"], username="csrf")
        [note] = notify(db.session, user, "Check", "")
        db.session.commit()
        login_page = client.get("/login/")
        client.post(
            "/login/",
            data={
                "username": "csrf",
                "password": "s3cret-pass",
                "csrf_token": csrf_token_from(login_page.text),
            },
        )
        assert client.post(f"/notifications/{note.id}/read").status_code == 400
        page = client.get("/notifications/")
        token = csrf_token_from(page.text)
        response = client.post(f"/notifications/{note.id}/read", data={"csrf_token": token})
        assert response.status_code == 302
        assert unread_count(db.session, user.id) == 0


def test_unread_count_api_and_navbar_bell_count_only_my_unread(app, client):
    me = create_user(app, ["Admin"], username="me")
    headers = token_headers(client, "me")
    response = client.get("/api/v1/notifications/unread_count", headers=headers)
    assert response.status_code == 200 and response.json == {"count": 0}
    other = create_user(app, ["Admin"])
    notify(db.session, [me, other], "Part arrived", "")
    notify(db.session, me, "Visit planned", "")
    db.session.commit()
    response = client.get("/api/v1/notifications/unread_count", headers=headers)
    assert response.json == {"count": 2}
    client.post("/login/", data={"username": "me", "password": "s3cret-pass"})
    assert client.get("/api/v1/notifications/unread_count").json == {"count": 2}  # cookie
    page = client.get("/notifications/")
    assert 'id="notifications-unread">2<' in page.text
