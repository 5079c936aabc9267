"""Partnerships: creation, the list, stage moves, steps 2 to 6, documents and invitations.

Every read and write goes through `repository.partnership_for`, which finds a
partnership only for its members: ids in buttons or links are never trusted.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot import partnership_screens as views
from bot.callback_data import parse_partnership
from bot.documents import build_action_plan, build_convention
from bot.replies import Reply
from flows.convention import (
    answers_by_item,
    build_draft,
    missing_items,
    prefilled_answers,
    status_question_id,
    text_question_id,
)
from flows.criteria import score_candidate
from flows.lifecycle import Lifecycle, PartnershipFacts
from knowledge import load_questionnaire
from knowledge.loader import load_dialogue
from storage import repository
from storage.models import FlowSession, Partnership, User

if TYPE_CHECKING:
    from bot.conversation import Conversations

INVITATION_LIFETIME = timedelta(days=7)
ROLES = ("member", "partner", "observer")
# Observers read; members and partner contacts also act.
ACTING_ROLES = ("member", "partner")
MOVES = ("advance", "back", "end", "renew", "modify")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class PartnershipDesk:
    """The partnership commands and buttons, for the conversation service."""

    def __init__(self, conversations: Conversations, checklist, clock: Callable[[], datetime]):
        self.conversations = conversations
        self.checklist = checklist
        self.clock = clock
        self.lifecycle = Lifecycle()
        self.dialogue = load_dialogue()
        self.criteria_questionnaire = load_questionnaire("criteria")
        # Known once the bot is connected; invitation links need it.
        self.bot_username: str | None = None

    # -- commands ----------------------------------------------------------------------

    def new(self, db, user: User) -> Reply:
        return self.conversations.start_or_resume(
            db, user, "new_partnership", intro="new_partnership_intro.j2"
        )

    def list(self, db, user: User) -> Reply:
        rows = repository.partnerships_of(db, user_id=user.id)
        screen = views.list_screen(rows, user.active_partnership_id, user.language)
        return self._reply(user, screen)

    def step(self, db, user: User, flow_id: str) -> Reply:
        """/criteres, /suivi: a questionnaire about the active partnership."""
        partnership, refusal = self._acting_on_active(db, user)
        if refusal is not None:
            return refusal
        return self.conversations.start_or_resume(
            db, user, flow_id, intro=f"{flow_id}_intro.j2", partnership_id=partnership.id
        )

    def convention(self, db, user: User, review: bool = False) -> Reply:
        """/convention: the checklist item by item, what earlier steps know already filled."""
        partnership, refusal = self._acting_on_active(db, user)
        if refusal is not None:
            return refusal
        answered = partnership.convention
        if not review and len(answered) == len(self.checklist.items):
            return self._reply(user, self._convention_summary(partnership, user.language))
        known = {
            "territory": partnership.territory,
            "theme": partnership.theme,
            "objectives": self._diagnosis_objectives(db, user),
        }
        prefill = prefilled_answers(self.checklist, known)
        if not review:
            prefill.update(self._as_flow_answers(answered))
        return self.conversations.start_or_resume(
            db,
            user,
            "convention",
            intro="convention_intro.j2",
            partnership_id=partnership.id,
            prefill=prefill,
        )

    def documents(self, db, user: User) -> Reply:
        found = self._active(db, user)
        if found is None:
            return self._reply(user, views.no_partnership_screen(user.language))
        partnership, _role = found
        documents = repository.documents_of(db, partnership_id=partnership.id)
        return self._reply(user, views.documents_screen(partnership, documents, user.language))

    def join(self, db, user: User, token: str) -> Reply:
        """/start <token>: joins the partnership of a valid invitation, once."""
        invitation = repository.invitation_by_hash(db, token_hash=token_hash(token))
        now = self.clock()
        problem = None
        if invitation is None:
            problem = "unknown"
        elif invitation.revoked_at is not None:
            problem = "revoked"
        elif invitation.used_at is not None:
            problem = "used"
        elif _aware(invitation.expires_at) <= now:
            problem = "expired"
        if problem is not None:
            return self._reply(user, views.simple("invitation_invalid.j2", user.language, problem))
        partnership = db.get(Partnership, invitation.partnership_id)
        if repository.partnership_for(db, user_id=user.id, partnership_id=partnership.id):
            return self._reply(user, views.simple("already_member.j2", user.language))
        repository.use_invitation(db, invitation=invitation, user_id=user.id, at=now)
        repository.add_member(db, partnership_id=partnership.id, user=user, role=invitation.role)
        card = self._card(db, partnership, invitation.role, user.language)
        return self._reply(user, views.simple("joined.j2", user.language), card)

    # -- buttons -----------------------------------------------------------------------

    def act(self, db, user: User, data: object, message_id: int | None) -> Reply:
        parsed = parse_partnership(data)
        found = None
        if parsed is not None:
            found = repository.partnership_for(db, user_id=user.id, partnership_id=parsed[0])
        if found is None:
            return self.conversations.notice("stale_button.j2", user.language)
        partnership, role = found
        _id, action, arg = parsed
        if action == "open":
            user.active_partnership_id = partnership.id
            db.add(user)
            return self._edit(user, message_id, self._card(db, partnership, role, user.language))
        if action == "dialogue":
            return self._edit(user, message_id, self._dialogue(db, partnership, user.language))
        if action == "doc":
            return self._send_document(db, user, arg)
        if role not in ACTING_ROLES:
            return self.conversations.notice("not_allowed.j2", user.language)
        handler = {
            "tick": self._tick,
            "note": self._note,
            "invite": self._invite_menu,
            "role": self._invite,
            "revoke": self._revoke,
            "choose": self._choose,
            "generate": self._generate,
            "review": self._review,
        }.get(action)
        if action in MOVES:
            return self._move(db, user, partnership, role, action, message_id)
        if handler is None:
            return self.conversations.notice("stale_button.j2", user.language)
        return handler(db, user, partnership, arg, message_id)

    def _move(self, db, user, partnership, role, trigger, message_id) -> Reply:
        facts = self._facts(db, user, partnership)
        move = self.lifecycle.move(facts, trigger)
        if not move.moved:
            screen = views.simple("stage_refused.j2", user.language, move.refusal)
            return self._reply(user, screen)
        repository.record_move(
            db, partnership=partnership, user_id=user.id, trigger=trigger, dest=move.dest
        )
        return self._edit(user, message_id, self._card(db, partnership, role, user.language))

    def _tick(self, db, user, partnership, point_id, message_id) -> Reply:
        if point_id not in {point.id for point in self.dialogue.points}:
            return self.conversations.notice("stale_button.j2", user.language)
        done = list(partnership.dialogue)
        if point_id in done:
            done.remove(point_id)
        else:
            done.append(point_id)
        partnership.dialogue = done
        db.add(partnership)
        return self._edit(user, message_id, self._dialogue(db, partnership, user.language))

    def _note(self, db, user, partnership, _arg, _message_id) -> Reply:
        return self.conversations.start_or_resume(
            db, user, "note", intro="note_intro.j2", partnership_id=partnership.id
        )

    def _invite_menu(self, db, user, partnership, _arg, message_id) -> Reply:
        return self._reply(user, views.invite_menu_screen(partnership, user.language))

    def _invite(self, db, user, partnership, role, _message_id) -> Reply:
        if role not in ROLES:
            return self.conversations.notice("stale_button.j2", user.language)
        # 18 random bytes: 144 bits, URL-safe, within Telegram's 64-character /start payload.
        token = secrets.token_urlsafe(18)
        now = self.clock()
        repository.create_invitation(
            db,
            partnership_id=partnership.id,
            role=role,
            token_hash=token_hash(token),
            created_by=user.id,
            created_at=now,
            expires_at=now + INVITATION_LIFETIME,
        )
        link = f"https://t.me/{self.bot_username or 'alliance_bot'}?start={token}"
        screen = views.simple("invitation.j2", user.language, role, link=link, token=token)
        return self._reply(user, screen)

    def _revoke(self, db, user, partnership, _arg, _message_id) -> Reply:
        count = repository.revoke_invitations(db, partnership_id=partnership.id, at=self.clock())
        return self._reply(user, views.simple("revoked.j2", user.language, count=count))

    def _choose(self, db, user, partnership, index, message_id) -> Reply:
        candidates = list(partnership.candidates)
        if index is None or not index.isdigit() or int(index) >= len(candidates):
            return self.conversations.notice("stale_button.j2", user.language)
        chosen = int(index)
        partnership.candidates = [
            {**candidate, "chosen": position == chosen}
            for position, candidate in enumerate(candidates)
        ]
        partnership.partner_name = candidates[chosen]["name"]
        db.add(partnership)
        screen = views.candidates_screen(partnership, user.language)
        return self._edit(user, message_id, screen)

    def _generate(self, db, user, partnership, _arg, _message_id) -> Reply:
        """Builds the draft convention and action plan, keeps them as versions, sends them."""
        draft = build_draft(
            self.checklist,
            partnership.convention,
            language=user.language,
            title=partnership.name,
            our_organisation=partnership.our_organisation,
            partner=partnership.partner_name,
            territory=partnership.territory,
            theme=partnership.theme,
        )
        reply = self._reply(user, views.simple("documents_ready.j2", user.language))
        for kind, build in (("convention", build_convention), ("action_plan", build_action_plan)):
            document = repository.add_document(
                db,
                partnership_id=partnership.id,
                kind=kind,
                file_name=views.file_name(kind, partnership, user.language),
                content=build(draft),
                created_by=user.id,
            )
            reply.documents.append((f"v{document.version}-{document.file_name}", document.content))
        return reply

    def _review(self, db, user, partnership, _arg, _message_id) -> Reply:
        return self.convention(db, user, review=True)

    def _send_document(self, db, user, document_id) -> Reply:
        document = None
        if document_id and document_id.isdigit():
            document = repository.document_for(db, document_id=int(document_id), user_id=user.id)
        if document is None:
            return self.conversations.notice("stale_button.j2", user.language)
        reply = self.conversations.notice("sending_document.j2", user.language)
        reply.documents.append((f"v{document.version}-{document.file_name}", document.content))
        return reply

    # -- finished questionnaires ---------------------------------------------------------

    def finish(self, db, user: User, running: FlowSession, answers: dict, reply: Reply) -> None:
        found = repository.partnership_for(
            db, user_id=user.id, partnership_id=running.partnership_id
        )
        if running.flow == "new_partnership":
            partnership = repository.create_partnership(
                db,
                user=user,
                name=answers["name"],
                our_organisation=answers["our_organisation"],
                partner_name=answers.get("partner"),
                theme=answers.get("theme"),
                territory=answers.get("territory"),
            )
            reply.messages.append(views.simple("partnership_created.j2", user.language))
            reply.messages.append(self._card(db, partnership, "member", user.language))
            return
        if found is None:
            # The user left the partnership meanwhile: nothing to record it in.
            reply.messages.append(views.simple("not_allowed.j2", user.language))
            return
        partnership, _role = found
        if running.flow == "criteria":
            score = score_candidate(self.criteria_questionnaire, answers)
            entry = {"name": score.name, "profile": score.profile, "score": score.score}
            entry |= {"red_flags": list(score.red_flags), "chosen": False}
            partnership.candidates = [*partnership.candidates, entry]
            reply.messages.append(views.candidates_screen(partnership, user.language))
        elif running.flow == "convention":
            partnership.convention = answers_by_item(self.checklist, answers)
            reply.messages.append(self._convention_summary(partnership, user.language))
        elif running.flow == "followup":
            partnership.followup = dict(answers)
            reply.messages.append(views.followup_screen(partnership, user.language))
        elif running.flow == "note":
            repository.add_note(
                db, partnership_id=partnership.id, user_id=user.id, text=answers["text"]
            )
            reply.messages.append(self._dialogue(db, partnership, user.language))
        db.add(partnership)

    # -- helpers -----------------------------------------------------------------------

    def _acting_on_active(self, db, user: User) -> tuple[Partnership | None, Reply | None]:
        """The active partnership if the user may act on it, else why not."""
        found = self._active(db, user)
        if found is None:
            return None, self._reply(user, views.no_partnership_screen(user.language))
        partnership, role = found
        if role not in ACTING_ROLES:
            return None, self._reply(user, views.simple("not_allowed.j2", user.language))
        return partnership, None

    def _active(self, db, user: User):
        return repository.partnership_for(
            db, user_id=user.id, partnership_id=user.active_partnership_id
        )

    def _facts(self, db, user: User, partnership: Partnership) -> PartnershipFacts:
        """What the stage machine needs to know about this partnership."""
        return PartnershipFacts(
            state=partnership.stage,
            has_diagnosis=repository.last_done_flow(db, user_id=user.id, flow="diagnostic")
            is not None,
            dialogue_items_done=len(partnership.dialogue),
            partner_is_chosen=any(c.get("chosen") for c in partnership.candidates),
            missing_convention_items=[
                item.id for item in missing_items(self.checklist, partnership.convention)
            ],
            has_draft_convention=repository.has_document(
                db, partnership_id=partnership.id, kind="convention"
            ),
            has_followup=bool(partnership.followup),
        )

    def _card(self, db, partnership: Partnership, role: str, language: str):
        members = repository.members_of(db, partnership_id=partnership.id)
        history = repository.stage_history(db, partnership_id=partnership.id)
        return views.card_screen(partnership, role, len(members), history[-3:], language)

    def _dialogue(self, db, partnership: Partnership, language: str):
        notes = repository.notes_of(db, partnership_id=partnership.id)
        return views.dialogue_screen(partnership, self.dialogue, notes, language)

    def _convention_summary(self, partnership: Partnership, language: str):
        missing = missing_items(self.checklist, partnership.convention)
        return views.convention_screen(partnership, missing, language)

    def _diagnosis_objectives(self, db, user: User) -> str | None:
        done = repository.last_done_flow(db, user_id=user.id, flow="diagnostic")
        return done.state.get("answers", {}).get("expectations") if done else None

    def _as_flow_answers(self, answered: dict[str, dict]) -> dict:
        flow_answers = {}
        for item_id, answer in answered.items():
            flow_answers[status_question_id(item_id)] = answer.get("status")
            if answer.get("text"):
                flow_answers[text_question_id(item_id)] = answer["text"]
        return flow_answers

    def _reply(self, user: User, *screens_) -> Reply:
        return Reply(list(screens_), language=user.language)

    def _edit(self, user: User, message_id: int | None, screen) -> Reply:
        if message_id is None:
            return Reply([screen], language=user.language)
        return Reply(edit=screen, edit_message_id=message_id, language=user.language)


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
