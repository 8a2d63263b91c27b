"""Every schema change of the contest database, in one place.

Four migration sets, applied in this order by ``contest.db.connect()`` (``MIGRATION_SETS``).
Their names ("contest", "judging", "followup", "topic_map") and the names of the migration
functions are recorded in each database's ``_sqlite_migrations`` table, so they never change:
an existing database upgrades by running only the functions it has not seen yet.

To change the schema, add a new function at the end of a set (never edit an applied one).
This file imports nothing from ``contest`` so that sqlite-utils' own tool can read it:

    sqlite-utils migrate var/contest.db contest/migrations.py --list

Which module owns which table is noted on each set.
"""
from __future__ import annotations

from sqlite_utils import Database, Migrations

#: users, login throttling, login sessions, settings, departments, audit log, proposals, co-authors, attachments
core_migrations = Migrations("contest")
#: assignments, conflicts, score sheets and scores (judging modules); awards (contest.results);
#: rubric unlocks (contest.rubric_lock)
judging_migrations = Migrations("judging")
#: cases, their departments and forwardings, replies, ratings (follow-up modules); meetings (contest.meetings)
followup_migrations = Migrations("followup")
#: join requests (contest.join_requests)
topic_map_migrations = Migrations("topic_map")

#: notices (contest.notices), each user's e-mail choice, reminders sent (contest.reminders)
notice_migrations = Migrations("notices")

MIGRATION_SETS = [core_migrations, judging_migrations, followup_migrations, topic_map_migrations, notice_migrations]


# --- contest (core) ---------------------------------------------------------


@core_migrations()
def m001_accounts(db: Database) -> None:
    db["users"].create(
        {
            "id": int,
            "username": str,
            "password_hash": str,
            "role": str,  # participant | judge | organizer | department
            "name": str,
            "student_no": str,
            "college": str,
            "email": str,
            "phone": str,
            "department": str,  # department code for department staff
            "topics": str,  # space-separated topic codes a judge declares
            "must_change_password": int,
            "active": int,
            "created_at": str,
        },
        pk="id",
        not_null={"username", "password_hash", "role", "name"},
        defaults={"must_change_password": 0, "active": 1, "topics": ""},
    )
    db["users"].create_index(["username"], unique=True)
    db.execute("CREATE UNIQUE INDEX idx_users_student_no ON users(student_no) WHERE student_no IS NOT NULL")
    # Failed logins are counted per typed name, whether or not the account
    # exists, so the lock-out itself reveals nothing.
    db["login_attempts"].create({"username": str, "failures": int, "locked_until": str}, pk="username")


@core_migrations()
def m002_settings_and_audit(db: Database) -> None:
    db["settings"].create({"key": str, "value": str}, pk="key")
    db["departments"].create(
        {"code": str, "name": str, "description": str, "active": int},
        pk="code",
        not_null={"name"},
        defaults={"active": 1, "description": ""},
    )
    db["audit_log"].create(
        {"id": int, "at": str, "actor_id": int, "actor": str, "action": str, "target": str, "detail": str},
        pk="id",
    )
    db["audit_log"].create_index(["at"])


@core_migrations()
def m003_proposals(db: Database) -> None:
    db["proposals"].create(
        {
            "id": int,
            "submitter_id": int,
            "title": str,
            "topic": str,
            "problem": str,
            "investigation": str,
            "suggestions": str,
            "department": str,  # suggested department code
            "college": str,  # the submitter's college, or the one given on import
            "author_name": str,  # set for imported proposals without a portal account
            "source": str,  # portal | import
            "client_token": str,  # one per form, so a double click saves one draft
            "status": str,  # draft | submitted | valid | invalid | withdrawn
            "invalid_reason": str,
            "topic_confirmed": int,
            "created_at": str,
            "updated_at": str,
            "submitted_at": str,
            "screened_at": str,
        },
        pk="id",
        not_null={"submitter_id", "status"},
        defaults={"title": "", "problem": "", "investigation": "", "suggestions": "", "topic_confirmed": 0,
                  "source": "portal"},
        foreign_keys=[("submitter_id", "users", "id")],
    )
    db["proposals"].create_index(["status"])
    db["proposals"].create_index(["submitter_id"])
    db["proposals"].create_index(["submitter_id", "client_token"], unique=True)
    db["coauthors"].create(
        {"proposal_id": int, "user_id": int},
        pk=("proposal_id", "user_id"),
        foreign_keys=[("proposal_id", "proposals", "id"), ("user_id", "users", "id")],
    )
    db["coauthors"].create_index(["user_id"])
    db["attachments"].create(
        {
            "id": int,
            "proposal_id": int,
            "filename": str,
            "stored_name": str,
            "kind": str,
            "size": int,
            "uploaded_by": int,
            "uploaded_at": str,
        },
        pk="id",
        foreign_keys=[("proposal_id", "proposals", "id"), ("uploaded_by", "users", "id")],
    )


@core_migrations()
def m004_merged_proposals(db: Database) -> None:
    # Same-issue proposals merged for forwarding (合并办理) point at their lead proposal.
    db["proposals"].add_column("lead_id", int)
    db.execute("CREATE INDEX idx_proposals_lead_id ON proposals(lead_id)")


@core_migrations()
def m_sso_identities(db: Database) -> None:
    # Campus single sign-on (contest.sso): the identity (issuer|subject) an account is tied to,
    # and the 工号 by which a judge's, department's or organizer's first sign-in finds its account.
    db["users"].add_column("sso_subject", str)
    db["users"].add_column("staff_no", str)
    db.execute("CREATE UNIQUE INDEX idx_users_sso_subject ON users(sso_subject) WHERE sso_subject IS NOT NULL")
    db.execute("CREATE UNIQUE INDEX idx_users_staff_no ON users(staff_no) WHERE staff_no IS NOT NULL")


@core_migrations()
def m_login_throttle(db: Database) -> None:
    # Login throttling (contest.accounts.login): one counter per account, typed name or client address
    # (key), its failures and when the last one was counted; it replaces the per-name lock-out.
    db["login_throttle"].create({"key": str, "failures": int, "last_at": str}, pk="key")
    db["login_attempts"].drop()


@core_migrations()
def m_contest_archives(db: Database) -> None:
    # Contests year after year (contest.contests): each earlier contest is a frozen copy of the
    # database in the same folder; this table of the live database lists them.
    db["contest_archives"].create(
        {"id": int, "contest_name": str, "year": int, "file": str, "archived_at": str, "archived_by": int,
         "proposals": int, "cases": int},
        pk="id", not_null={"contest_name", "year", "file", "archived_at"})
    db["contest_archives"].create_index(["file"], unique=True)


@core_migrations()
def m_draft_buffers(db: Database) -> None:
    # What a student typed on 撰写提案 and has not saved yet (contest.autosave), kept per user and
    # proposal (0: a new proposal) so that leaving the page, a reload or a new session loses nothing.
    db["draft_buffers"].create({"user_id": int, "proposal_id": int, "fields": str, "updated_at": str},
                               pk=("user_id", "proposal_id"))


@core_migrations()
def m_login_sessions(db: Database) -> None:
    # Logins that survive a reload (contest.sessions): the hash of each session's token, its
    # account and lifetime; one-time codes that /session/start exchanges for a session cookie;
    # when each account's sessions were last ended (log out everywhere, password change, disabled).
    db["sessions"].create(
        {"id": int, "token_hash": str, "user_id": int, "how": str, "created_at": str, "last_seen_at": str,
         "expires_at": str, "revoked_at": str},
        pk="id", not_null={"token_hash", "user_id", "created_at", "last_seen_at", "expires_at"},
        foreign_keys=[("user_id", "users", "id")],
    )
    db["sessions"].create_index(["token_hash"], unique=True)
    db["sessions"].create_index(["user_id"])
    db["session_codes"].create({"code_hash": str, "user_id": int, "how": str, "expires_at": str},
                               pk="code_hash", foreign_keys=[("user_id", "users", "id")])
    db["users"].add_column("sessions_ended_at", str)


@core_migrations()
def m_coauthor_invitations(db: Database) -> None:
    # Co-authors by invitation (contest.coauthors): a 学号 typed on the form invites that student;
    # only an accepted invitation adds a row to coauthors. Also records declines and leaving, so a
    # student who said no is not invited to the same proposal again.
    db["coauthor_invitations"].create(
        {"id": int, "proposal_id": int, "user_id": int, "student_no": str, "invited_by": int,
         "status": str,  # pending | accepted | declined | withdrawn | left
         "created_at": str, "answered_at": str},
        pk="id", not_null={"proposal_id", "user_id", "status"}, defaults={"status": "pending"},
        foreign_keys=[("proposal_id", "proposals", "id"), ("user_id", "users", "id")])
    db["coauthor_invitations"].create_index(["user_id", "status"])
    db["coauthor_invitations"].create_index(["proposal_id", "status"])


# --- judging ------------------------------------------------------------------


@judging_migrations()
def m001_judging(db: Database) -> None:
    db["assignments"].create(
        {"proposal_id": int, "judge_id": int, "published": int, "source": str, "created_at": str},
        pk=("proposal_id", "judge_id"),
        defaults={"published": 0, "source": "auto"},
        foreign_keys=[("proposal_id", "proposals", "id"), ("judge_id", "users", "id")],
    )
    db["assignments"].create_index(["judge_id"])
    db["conflicts"].create(
        {"proposal_id": int, "judge_id": int, "reason": str, "declared_by": int, "declared_at": str},
        pk=("proposal_id", "judge_id"),
        foreign_keys=[("proposal_id", "proposals", "id"), ("judge_id", "users", "id")],
    )
    db["sheets"].create(
        {
            "id": int,
            "proposal_id": int,
            "judge_id": int,
            "status": str,  # draft | submitted
            "comment": str,  # for the authors, shown after results are published
            "note": str,  # confidential, organizers only
            "updated_at": str,
            "submitted_at": str,
        },
        pk="id",
        not_null={"proposal_id", "judge_id", "status"},
        foreign_keys=[("proposal_id", "proposals", "id"), ("judge_id", "users", "id")],
    )
    db["sheets"].create_index(["proposal_id", "judge_id"], unique=True)
    db["sheets"].create_index(["judge_id"])
    db["scores"].create(
        {"sheet_id": int, "criterion": str, "score": float},
        pk=("sheet_id", "criterion"),
        foreign_keys=[("sheet_id", "sheets", "id")],
    )
    db["awards"].create(
        {"proposal_id": int, "award": str, "rank": int, "score": float, "overridden": int, "reason": str,
         "decided_at": str},
        pk="proposal_id",
        foreign_keys=[("proposal_id", "proposals", "id")],
    )


@judging_migrations()
def m002_rubric_unlocks(db: Database) -> None:
    # Each explicit unlock of the rubric after the first submitted sheet, with the
    # rubric as it was at that moment (snapshot) and the organizer's reason.
    db["rubric_unlocks"].create(
        {"id": int, "actor_id": int, "reason": str, "rubric": str, "unlocked_at": str, "active": int},
        pk="id",
        defaults={"active": 1},
    )
    db["assignments"].create_index(["published"])
    db["sheets"].create_index(["status"])


# --- followup -----------------------------------------------------------------


@followup_migrations()
def m001_cases(db: Database) -> None:
    db["cases"].create(
        {
            "id": int,
            "proposal_id": int,  # lead proposal
            "department": str,  # lead department (主办)
            "status": str,  # pending | declined | replied | resolved
            "state": str,  # latest reply state (STATES), None before the first reply
            "note": str,  # organizer's note to the departments
            "due_at": str,  # first reply expected by then
            "forwarded_by": int,
            "forwarded_at": str,  # first forwarding
            "assigned_at": str,  # latest (re-)forwarding
            "first_reply_at": str,
            "last_reply_at": str,
        },
        pk="id",
        not_null={"proposal_id", "department", "status"},
        defaults={"status": "pending", "note": ""},
        foreign_keys=[("proposal_id", "proposals", "id"), ("department", "departments", "code"),
                      ("forwarded_by", "users", "id")],
    )
    db["cases"].create_index(["proposal_id"], unique=True)
    db["cases"].create_index(["department"])
    db["case_members"].create(
        {"proposal_id": int, "case_id": int, "further_requested_at": str, "further_reason": str,
         "further_by": int},
        pk="proposal_id",  # a proposal belongs to at most one case
        foreign_keys=[("proposal_id", "proposals", "id"), ("case_id", "cases", "id")],
    )
    db["case_members"].create_index(["case_id"])
    db["case_departments"].create(
        {"case_id": int, "department": str, "role": str},  # role: lead | co
        pk=("case_id", "department"),
        foreign_keys=[("case_id", "cases", "id"), ("department", "departments", "code")],
    )
    db["case_departments"].create_index(["department"])
    db["case_forwards"].create(
        {"id": int, "case_id": int, "kind": str,  # forward | decline | reforward
         "department": str, "co_departments": str, "reason": str, "by_id": int, "at": str},
        pk="id",
        foreign_keys=[("case_id", "cases", "id")],
    )
    db["case_forwards"].create_index(["case_id"])
    db["replies"].create(
        {
            "id": int,
            "case_id": int,
            "department": str,
            "author_id": int,
            "kind": str,  # reply | update | further
            "state": str,
            "text": str,
            "plan": str,
            "expected_date": str,
            "reason": str,
            "published": int,
            "at": str,
            "file_name": str,
            "file_stored": str,
            "file_kind": str,
            "file_size": int,
        },
        pk="id",
        not_null={"case_id", "state", "text", "at"},
        defaults={"published": 1, "plan": "", "reason": ""},
        foreign_keys=[("case_id", "cases", "id"), ("author_id", "users", "id")],
    )
    db["replies"].create_index(["case_id"])
    db["ratings"].create(
        {"proposal_id": int, "round": int, "case_id": int, "user_id": int, "level": str, "comment": str,
         "at": str},
        pk=("proposal_id", "round"),
        foreign_keys=[("proposal_id", "proposals", "id"), ("case_id", "cases", "id"),
                      ("user_id", "users", "id")],
    )


@followup_migrations()
def m002_meetings(db: Database) -> None:
    # Feedback meetings (提案对接会 / 职能部门面对面, contest.meetings): invited departments and students,
    # the proposals on the agenda with each one's outcome (what a department committed to, by when), minutes.
    db["meetings"].create(
        {"id": int, "title": str, "theme": str, "held_on": str, "place": str,
         "status": str,  # planned | held | cancelled
         "minutes": str, "minutes_file_name": str, "minutes_file_stored": str, "minutes_file_kind": str,
         "minutes_file_size": int, "created_by": int, "created_at": str, "updated_at": str},
        pk="id", not_null={"title", "held_on", "status"}, defaults={"status": "planned", "minutes": "", "place": ""},
        foreign_keys=[("created_by", "users", "id")],
    )
    db["meeting_departments"].create(
        {"meeting_id": int, "department": str}, pk=("meeting_id", "department"),
        foreign_keys=[("meeting_id", "meetings", "id"), ("department", "departments", "code")],
    )
    db["meeting_departments"].create_index(["department"])
    db["meeting_invitees"].create(
        {"meeting_id": int, "user_id": int}, pk=("meeting_id", "user_id"),
        foreign_keys=[("meeting_id", "meetings", "id"), ("user_id", "users", "id")],
    )
    db["meeting_invitees"].create_index(["user_id"])
    db["meeting_items"].create(
        {"meeting_id": int, "proposal_id": int, "department": str, "commitment": str, "due_date": str,
         "recorded_by": int, "recorded_at": str},
        pk=("meeting_id", "proposal_id"),
        foreign_keys=[("meeting_id", "meetings", "id"), ("proposal_id", "proposals", "id")],
    )
    db["meeting_items"].create_index(["proposal_id"])


# --- topic_map ----------------------------------------------------------------


@topic_map_migrations()
def m001_join_requests(db: Database) -> None:
    # A student asks to join a submitted proposal as co-author; the submitter answers.
    db["join_requests"].create(
        {
            "id": int,
            "proposal_id": int,
            "requester_id": int,
            "message": str,
            "status": str,  # pending | accepted | declined | cancelled
            "created_at": str,
            "answered_at": str,
        },
        pk="id",
        not_null={"proposal_id", "requester_id", "status"},
        defaults={"status": "pending", "message": ""},
        foreign_keys=[("proposal_id", "proposals", "id"), ("requester_id", "users", "id")],
    )
    db["join_requests"].create_index(["proposal_id", "status"])
    db["join_requests"].create_index(["requester_id"])


@topic_map_migrations()
def m002_proposal_words(db: Database) -> None:
    # The words of each proposal's text, segmented once (contest.topics.WordAnalyzer) and kept:
    # the topic map and the similar-proposal hint read them instead of segmenting again.
    # ``digest`` covers the text and the analyzer, so an edit or a new keyword makes the row stale.
    db["proposal_words"].create({"proposal_id": int, "digest": str, "words": str}, pk="proposal_id",
                                not_null={"digest", "words"})


@topic_map_migrations()
def m003_group_decisions(db: Database) -> None:
    # An organizer's "these are not the same issue" on a suggested group (or a split merge):
    # each pair is kept and the pair is never suggested as one group again.
    db["kept_apart"].create({"proposal_id": int, "other_id": int, "decided_by": int, "decided_at": str},
                            pk=("proposal_id", "other_id"),
                            foreign_keys=[("proposal_id", "proposals", "id"), ("other_id", "proposals", "id")])


@topic_map_migrations()
def m004_stranded_members(db: Database) -> None:
    # Before merge_group put a forwarded lead's new members into its case, such members were left
    # in no case for good (never forwardable on their own): the valid ones join their lead's case now.
    db.execute("""insert into case_members (proposal_id, case_id)
                  select p.id, m.case_id from proposals p join case_members m on m.proposal_id = p.lead_id
                  where p.status = 'valid' and p.id not in (select proposal_id from case_members)""")


@topic_map_migrations()
def m005_proposal_vectors(db: Database) -> None:
    # The sentence vector of each proposal (contest.topics.sentence_vectors, float32 bytes),
    # computed once and kept like proposal_words; ``digest`` covers the text and the encoder.
    db["proposal_vectors"].create({"proposal_id": int, "digest": str, "vector": bytes}, pk="proposal_id",
                                  not_null={"digest", "vector"})


# --- notices ------------------------------------------------------------------


@notice_migrations()
def m001_notices(db: Database) -> None:
    # The in-portal inbox; ``email`` says what became of the e-mail copy:
    # '' none wanted | pending | sending | sent | failed.
    db["notices"].create(
        {"id": int, "user_id": int, "event": str, "title": str, "body": str, "page": str, "created_at": str,
         "read_at": str, "email": str, "emailed_at": str},
        pk="id", not_null={"user_id", "event", "title"}, defaults={"body": "", "page": "", "email": ""},
        foreign_keys=[("user_id", "users", "id")],
    )
    db["notices"].create_index(["user_id", "read_at"])
    db["notices"].create_index(["email"])
    db["users"].add_column("email_notices", int, not_null_default=1)
    # Each reminder (催办) sent, by hand or by ``python -m contest remind``: to whom (a judge's user id or a
    # department code), about what (``kind``), so no second one goes out within the interval.
    db["reminders"].create(
        {"id": int, "kind": str, "target": str, "count": int, "sent_by": int, "auto": int, "sent_at": str},
        pk="id", not_null={"kind", "target", "sent_at"}, defaults={"auto": 0, "count": 0},
    )
    db["reminders"].create_index(["kind", "target", "sent_at"])
