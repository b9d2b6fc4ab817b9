"""Speed of the notices fan-out: a school-wide announcement to N students + N parents (in-app
+ outbox rows in one transaction), its receipts, and the weekly digest for N parents, on a
throw-away SQLite database. Usage: SECRET_KEY=x python bench/notices_fanout.py [N=200]"""

from __future__ import annotations

import sys
import tempfile
import time

from app import create_app
from app.extensions import db

n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
d = tempfile.mkdtemp()
app = create_app(
    {
        "TESTING": True,
        "SECRET_KEY": "x",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{d}/s.db",
        "SERVER_NAME": None,
    }
)
with app.app_context():
    from flask_migrate import upgrade

    upgrade()
    from app.models import ClassMembership, ParentLink, School, User
    from app.services.school import add_class, current_year

    s = School(code="S", name="S")
    db.session.add(s)
    db.session.flush()
    current_year(s)
    admin = User(school_id=s.id, username="qt", role="admin", full_name="QT")
    db.session.add(admin)
    k = add_class(None, s, current_year(s), "10A1")
    db.session.flush()
    for i in range(n):
        st = User(
            school_id=s.id,
            username=f"s{i}",
            role="student",
            full_name=f"HS {i}",
            student_code=f"C{i}",
            email=f"s{i}@x.vn",
        )
        pa = User(
            school_id=s.id, username=f"p{i}", role="parent", full_name=f"PH {i}", email=f"p{i}@x.vn"
        )
        db.session.add_all([st, pa])
        db.session.flush()
        db.session.add(ClassMembership(school_id=s.id, class_id=k.id, student_id=st.id))
        db.session.add(ParentLink(school_id=s.id, parent_id=pa.id, student_id=st.id))
    db.session.commit()
    from app.services import announcements, weekly_digest

    with app.test_request_context():
        t = time.perf_counter()
        a = announcements.create(admin, title="T", body_html="<p>x</p>", target_kind="school")
        t1 = time.perf_counter() - t
        t = time.perf_counter()
        r = announcements.receipts(admin, a.id)
        t2 = time.perf_counter() - t
        t = time.perf_counter()
        c = weekly_digest.send_week()
        t3 = time.perf_counter() - t
    print(
        f"recipients={r['total']} create={t1:.2f}s receipts={t2:.2f}s "
        f"digest({c['queued']} parents)={t3:.2f}s"
    )
