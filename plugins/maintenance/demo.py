"""Demo data of maintenance: technicians and work orders in several states, through the
services (so they obey the rules). Loaded after contracts' demo data."""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.demo.service import demo_password
from core.timeutil import utcnow
from plugins.contracts.models import Equipment
from plugins.maintenance import services as s
from plugins.maintenance.models import Technician

TECHNICIANS = [
    ("陈师傅", "Shanghai", "printer, hvac"),
    ("赵工", "Hangzhou", "hvac, elevator"),
    ("孙工", "Shenzhen", "ultrasound, printer"),
]
SYMPTOMS = [
    ("P2", "卡纸频繁，每 20 页卡一次", "办公室，湿度较高"),
    ("P1", "外机不启动，显示 E7 故障码", "机房，室温 35°C"),
    ("P3", "探头图像有条纹", "心内科 3 号诊室"),
    ("P2", "打印浓度不均", "财务部"),
]


def load_demo(session: Session, scale: int) -> None:
    """Three technicians per scale and a few orders per state on the demo equipment."""
    app_users = _users(session, len(TECHNICIANS) * scale)
    start = session.scalar(select(func.count()).select_from(Technician)) or 0
    technicians = []
    for n, user in enumerate(app_users):
        name, region, skills = TECHNICIANS[n % len(TECHNICIANS)]
        technician = s.create_technician(
            session,
            user=user,
            name=name if start + n < len(TECHNICIANS) else f"{name} {start + n + 1}",
            region=region,
            skills=skills,
            phone=f"139{start + n + 1:08d}",
        )
        for skill in s.parse_skills(skills):
            s.add_certification(
                session,
                technician,
                skill,
                "Manufacturer service certificate",
                s.company_today(session) + datetime.timedelta(days=365),
                number=f"CERT-{start + n + 1:04d}",
            )
        technicians.append(technician)
    _plan(session, start)
    units = session.scalars(select(Equipment).order_by(Equipment.id.desc()).limit(8 * scale)).all()
    now = utcnow()
    plans = ["new", "assigned", "in_progress", "waiting_parts", "done", "confirmed", "closed"]
    for n, unit in enumerate(units):
        priority, symptom, environment = SYMPTOMS[n % len(SYMPTOMS)]
        report = s.create_fault_report(
            session,
            equipment_id=unit.id,
            symptom=symptom,
            environment=environment,
            priority=priority,
            source="hotline",
            contact_name="王磊",
            contact_phone="13800000000",
            reported_at=now - datetime.timedelta(hours=6 + 3 * n),
        )
        order = s.raise_work_order(session, report)
        _advance(session, order, plans[n % len(plans)], now + datetime.timedelta(hours=2 * n))


def _plan(session: Session, start: int) -> None:
    """A monthly printer inspection plan with a checklist, generated over its horizon."""
    from plugins.maintenance.services.generation import generate
    from plugins.maintenance.services.plans import create_plan

    plan = create_plan(
        session,
        name=f"打印机月度保养{' #' + str(start) if start else ''}",
        product_type="Printer",
        interval_count=1,
        interval_unit="months",
        horizon_days=60,
        skill="printer",
        duration_minutes=45,
        items=[
            {
                "name": "定影器温度",
                "standard": "180-200 °C",
                "unit": "°C",
                "min_value": "180",
                "max_value": "200",
            },
            {"name": "搓纸轮磨损", "standard": "无明显磨损、无打滑"},
            {"name": "清洁纸路", "standard": "无纸屑、无灰尘"},
        ],
    )
    generate(session, plan, s.company_today(session))


def _advance(session: Session, order: Any, target: str, booked: datetime.datetime) -> None:
    from plugins.maintenance.services.dispatch import rank_technicians

    steps = ["assigned", "in_progress", "waiting_parts", "done", "confirmed", "closed"]
    ranked = rank_technicians(session, order, utcnow(), booked)
    if target == "new" or not ranked:
        return
    best = ranked[0]
    for step in steps[: steps.index(target) + 1]:
        if step == "assigned":
            s.assign(
                session,
                order,
                best.technician.id,
                scheduled_start=booked,
                override_reason="" if best.suitable else "Demo data",
            )
        elif step == "in_progress":
            s.start(session, order)
        elif step == "waiting_parts":
            s.wait_for_parts(session, order)
            if target != "waiting_parts":
                s.parts_arrived(session, order)
        elif step == "done":
            s.complete(
                session,
                order,
                cause="传感器老化",
                repair_plan="更换传感器并校准",
                actions="更换传感器，清洁，试运行 30 分钟",
                labour_minutes=90,
            )
        elif step == "confirmed":
            s.confirm(session, order, "王磊", "运行正常")
        elif step == "closed":
            s.close(session, order)


def _users(session: Session, count: int) -> list[object]:
    """Users for the demo technicians, made with the Technician role and a random password
    (printed by ``aftersales setup``)."""
    from flask import current_app

    sm = current_app.appbuilder.sm
    role = sm.find_role("Technician") or sm.add_role("Technician")
    made = []
    base = session.scalar(select(func.count()).select_from(Technician)) or 0
    for n in range(count):
        username = f"tech{base + n + 1}"
        user = sm.find_user(username=username) or sm.add_user(
            username,
            "Tech",
            str(base + n + 1),
            f"{username}@example.com",
            [role],
            demo_password(username),
        )
        made.append(user)
    return made
