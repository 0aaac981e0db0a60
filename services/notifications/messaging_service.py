"""The notifications service's entrypoints for messages to people: what staff send,
what other services' events become, inboxes and how people want to be reached.
Mixed into NotificationsService (one service, one queue)."""

from typing import Any

from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy

from services.notifications import channels, messages
from services.notifications.base import READING_ROLES, STAFF_ROLES
from services.notifications.messages import Draft
from services.notifications.store import NotificationsStore
from shared.calendar import vietnam_day
from shared.chassis import ask, audit_entry, audit_item, on_event, utcnow
from shared.contracts.disclosures import DisclosurePosted
from shared.contracts.feedback import PetitionAnswered, PetitionOverdue, PetitionReceived
from shared.contracts.households import (
    HouseholdCount,
    HouseholdMoved,
    HouseholdPlace,
    HouseholdRef,
)
from shared.contracts.notifications import (
    CHANNEL_NAMES_VI,
    Audience,
    AudienceKind,
    Channel,
    DeliveryList,
    DeliveryRecord,
    DeliveryStatus,
    Inbox,
    InboxItem,
    Language,
    ListMessages,
    MarkAllRead,
    MessageList,
    MessageSent,
    OpenInbox,
    Owner,
    Preferences,
    PreferencesForm,
    ReadItem,
    RetryDelivery,
    SendMessage,
    SentMessage,
)
from shared.contracts.positions import Person
from shared.contracts.recognition import CommendationDecided
from shared.contracts.staff import Role, RoleHolders, Usernames
from shared.contracts.succession import ResidentialUnitsChanged
from shared.contracts.surveys import (
    HouseholdCodes,
    PollClosingSoon,
    PollDecided,
    PollOpened,
    PollRef,
)
from shared.contracts.training import (
    CertificateIssued,
    InvitedToTraining,
    MovedOffWaitlist,
    ParticipantList,
    Participants,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationEvent,
)
from shared.errors import WIRE_ERRORS, Forbidden, InvalidInput, NotFound, parse
from shared.i18n import _
from shared.queues import rpc

UNREAD_COUNTED = 200  # an inbox counts its unread among its newest this many


class MessagingEntrypoints:
    store: NotificationsStore
    config: dict = Config()
    surveys = RpcProxy("surveys")
    training = RpcProxy("training")

    # --- staff send ---------------------------------------------------------------

    @rpc(expected_exceptions=WIRE_ERRORS)
    def send_message(self, payload: dict) -> dict:
        command = parse(SendMessage, payload)
        self._require(command.actor, command.commune_id, STAFF_ROLES)
        if command.audience.kind == AudienceKind.UNIT:  # a unit of the actor's own commune
            self._require(command.actor, command.audience.unit_id, STAFF_ROLES)
        # a course or poll of another commune, or none, is refused before anything is
        # stored (stored, it would be retried by the scheduled work for ever)
        if command.audience.kind == AudienceKind.TRAINING_PARTICIPANTS:
            self._participants(command.commune_id, command.audience)
        if command.audience.kind == AudienceKind.POLL_PARTICIPANTS:
            self._check_poll(command.commune_id, command.audience.poll_id)
        draft = messages.staff_draft(
            command.request_id, command.commune_id, command.audience, command.title, command.body
        )
        audience = command.audience.model_dump(mode="json", exclude_none=True)
        after = {"audience": audience, "title": command.title}
        audit = _audited(command.actor, "send_message", draft.id, command.commune_id, after)
        return self._send(draft, [audit]).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def list_messages(self, payload: dict) -> dict:
        query = parse(ListMessages, payload)
        self._require(query.actor, query.commune_id, READING_ROLES)
        found = self.store.messages_of(query.commune_id, query.limit)
        counts = self.store.delivery_counts([message["_id"] for message in found])
        sent = [_sent_message(message, counts.get(message["_id"], {})) for message in found]
        return MessageList(messages=sent).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def list_dead_letters(self, payload: dict) -> dict:
        """Deliveries given up, and those failing for now, with the reason."""
        query = parse(ListMessages, payload)
        self._require(query.actor, query.commune_id, READING_ROLES)
        statuses = [DeliveryStatus.GIVEN_UP, DeliveryStatus.FAILED]
        found = self.store.deliveries_of(query.commune_id, statuses, query.limit)
        records = [_delivery_record(document) for document in found]
        return DeliveryList(deliveries=records).model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def retry_delivery(self, payload: dict) -> dict:
        command = parse(RetryDelivery, payload)
        self._require(command.actor, command.commune_id, STAFF_ROLES)
        after = {"status": DeliveryStatus.QUEUED.value}
        audit = _audited(
            command.actor, "retry_delivery", command.delivery_id, command.commune_id, after
        )
        if not self.store.requeue(command.delivery_id, command.commune_id, [audit]):
            raise NotFound(_("Không có lần gửi không thành công này để gửi lại."))
        self.store.relay_events(self.dispatch, only=("deliveries", command.delivery_id))
        return {"requeued": command.delivery_id}

    # --- inboxes and preferences ----------------------------------------------------

    @rpc(expected_exceptions=WIRE_ERRORS)
    def open_inbox(self, payload: dict) -> dict:
        query = parse(OpenInbox, payload)
        keys, language = self._typed_inbox_keys(query), self._language(query.owner)
        newest = self.store.inbox_items(keys, max(query.limit, UNREAD_COUNTED))
        read = self.store.read_at(query.owner.key, [item["_id"] for item in newest])
        items = [_inbox_item(item, language, read.get(item["_id"])) for item in newest]
        unread = sum(item.read_at is None for item in items)
        inbox = Inbox(owner=query.owner, unread=unread, items=items[: query.limit])
        return inbox.model_dump(mode="json")

    @rpc(expected_exceptions=WIRE_ERRORS)
    def read_item(self, payload: dict) -> dict:
        query = parse(ReadItem, payload)
        item = self.store.inbox_item(query.item_id, self._inbox_keys(query.owner))
        if item is None:
            raise NotFound(_("Không tìm thấy tin này trong hộp thư."))
        self.store.mark_read(query.owner.key, [item["_id"]])
        read = self.store.read_at(query.owner.key, [item["_id"]])
        return _inbox_item(item, self._language(query.owner), read[item["_id"]]).model_dump(
            mode="json"
        )

    @rpc(expected_exceptions=WIRE_ERRORS)
    def mark_all_read(self, payload: dict) -> dict:
        owner = parse(MarkAllRead, payload).owner
        newest = self.store.inbox_items(self._inbox_keys(owner), UNREAD_COUNTED)
        self.store.mark_read(owner.key, [item["_id"] for item in newest])
        return {"marked": len(newest)}

    @rpc(expected_exceptions=WIRE_ERRORS)
    def get_preferences(self, payload: dict) -> dict:
        owner = parse(Owner, payload)
        stored = self.store.preferences(owner.key) or {}
        fields = {k: v for k, v in stored.items() if k not in ("_id", "units")}
        chosen = Preferences(owner=owner, **fields)
        return PreferencesForm(preferences=chosen, available=self._available).model_dump(
            mode="json"
        )

    @rpc(expected_exceptions=WIRE_ERRORS)
    def save_preferences(self, payload: dict) -> dict:
        preferences = parse(Preferences, payload)
        if off := set(preferences.channels) - set(self._available):
            names = ", ".join(CHANNEL_NAMES_VI[channel] for channel in sorted(off))
            refused = _("Xã, phường chưa gửi được qua {names}.").format(names=names)
            raise InvalidInput(fields={"channels": refused})
        units = [unit for unit in self._units_of(preferences.owner) if unit]
        self.store.save_preferences(preferences, units)
        return preferences.model_dump(mode="json")

    @on_event("directory", HouseholdMoved)
    def follow_household_move(self, event: HouseholdMoved) -> None:
        """Messages to every household of a unit reach a household where it lives now."""
        owner = Owner(household=event.code)
        if self.store.preferences(owner.key) is not None:
            units = [unit for unit in self._units_of(owner) if unit]
            self.store.set_units([owner.key], units)

    @on_event("directory", ResidentialUnitsChanged)
    def follow_unit_change(self, event: ResidentialUnitsChanged) -> None:
        """From the day a unit is renamed, merged or split, its households' messages
        come from the unit they now count in (a job, as that day may be ahead)."""
        change = event.succession
        due = messages.start_of(change.on, utcnow())
        for successor, codes in event.carried.items():
            keys = [Owner(household=code).key for code in codes]
            payload = {"owner_keys": keys, "units": [successor, change.commune_id]}
            job_id = messages.message_id(event.event_id, f"units:{successor}")
            self.store.schedule(job_id, "set_units", due, payload)

    # --- other services' events -------------------------------------------------------

    @on_event("surveys", PollOpened)
    def tell_households_poll_opened(self, event: PollOpened) -> None:
        self._send_all(messages.drafts_for_poll(event, self._public_url))

    @on_event("surveys", PollClosingSoon)
    def tell_households_poll_closing_soon(self, event: PollClosingSoon) -> None:
        self._send_all(messages.drafts_for_poll(event, self._public_url))

    @on_event("surveys", PollDecided)
    def tell_households_poll_decided(self, event: PollDecided) -> None:
        self._send_all(messages.drafts_for_poll(event, self._public_url))

    @on_event("feedback", PetitionReceived)
    def tell_petitioner_received(self, event: PetitionReceived) -> None:
        self._send_all(messages.drafts_for_petition(event, self._public_url))

    @on_event("feedback", PetitionAnswered)
    def tell_petitioner_answered(self, event: PetitionAnswered) -> None:
        self._send_all(messages.drafts_for_petition(event, self._public_url))

    @on_event("feedback", PetitionOverdue)
    def tell_of_overdue_petition(self, event: PetitionOverdue) -> None:
        self._send_all(messages.drafts_for_petition(event, self._public_url))

    @on_event("training", RegistrationConfirmed)
    def confirm_registration(self, event: RegistrationConfirmed) -> None:
        self._register(event)

    @on_event("training", MovedOffWaitlist)
    def tell_moved_off_waitlist(self, event: MovedOffWaitlist) -> None:
        self._register(event)

    @on_event("training", RegistrationCancelled)
    def tell_registration_cancelled(self, event: RegistrationCancelled) -> None:
        """No reminder of the session, and a short word that the place is given up."""
        job_id = messages.reminder_job(event.registration_id)
        if self.store.superseded(job_id, event.occurred_at):
            return  # a later event of this registration came first: this one is stale
        self.store.cancel_reminder(job_id, event.occurred_at)
        self._send_all(messages.drafts_for_registration(event, self._public_url))

    @on_event("training", CertificateIssued)
    def tell_of_certificate(self, event: CertificateIssued) -> None:
        self._send_all(messages.drafts_for_certificate(event, self._public_url))

    @on_event("training", InvitedToTraining)
    def invite_to_training(self, event: InvitedToTraining) -> None:
        self._send_all(messages.drafts_for_invitation(event, self._public_url))

    @on_event("notifications", DisclosurePosted)
    def announce_disclosure(self, event: DisclosurePosted) -> None:
        self._send_all(messages.drafts_for_disclosure(event, self._public_url))

    @on_event("recognition", CommendationDecided)
    def tell_of_commendation(self, event: CommendationDecided) -> None:
        self._send_all(messages.drafts_for_commendation(event, self._public_url))

    # --- how a message reaches people -----------------------------------------------

    @property
    def _available(self) -> list[Channel]:
        return [Channel(name) for name in channels.available(self.config.get("CHANNELS", {}))]

    @property
    def _public_url(self) -> str:
        return self.config.get("PUBLIC_URL", "")

    def _register(self, event: RegistrationEvent) -> None:
        """Confirm now, and remind a day before the session (kept in the database, so a
        restart loses no reminder), unless the registration was cancelled later."""
        job_id = messages.reminder_job(event.registration_id)
        if self.store.superseded(job_id, event.occurred_at):
            return  # its cancellation was handled first: no place to confirm or remind of
        drafts = messages.drafts_for_registration(event, self._public_url)
        self._send_all(drafts)
        due = messages.reminder_due(event, utcnow())
        if drafts and due is not None:  # no drafts: the person cannot be reached
            payload = {"event_type": event.event_type, "event": event.model_dump(mode="json")}
            self.store.schedule_reminder(job_id, due, payload, event.occurred_at)

    def _send_all(self, drafts: list[Draft]) -> None:
        for draft in drafts:
            self._send(draft)

    def _send(self, draft: Draft, audit: list[dict[str, Any]] = ()) -> MessageSent:
        """Put a message in its recipients' inboxes and queue its deliveries over the
        channels they chose. Every step is idempotent: a redelivered event or a form
        sent twice finishes what was begun and duplicates nothing."""
        message = self.store.message(draft.id)
        if message is None or not message["fanned_out"]:
            self.store.save_message(draft, audit)
            if audit:  # a staff message: its audit entry into the log now
                self.store.relay_events(self.dispatch, only=("messages", draft.id))
            message = self._fan_out(self.store.message(draft.id), draft)
        counts = self.store.delivery_counts([message["_id"]]).get(message["_id"], {})
        channel_deliveries = sum(counts.values()) - message["unknown"]
        return MessageSent(
            message_id=message["_id"],
            inboxes=message["inboxes"],
            deliveries=channel_deliveries,
            unknown_recipients=message["unknown"],
        )

    def _fan_out(self, message: dict[str, Any], draft: Draft) -> dict[str, Any]:
        if draft.error:  # nobody can be sent a message that could not be written
            self.store.add_deliveries([messages.undeliverable(message, "-", draft.error)])
            return self.store.finish_fan_out(draft.id, inboxes=0, unknown=1)
        audience = draft.audience
        if audience.kind == AudienceKind.CONTACT:  # no inbox: straight to its channels
            chosen = [messages.contact_preferences(audience, self._available)]
            inboxes, unknown = 0, {}
        elif audience.kind == AudienceKind.UNIT:
            self.store.add_inbox_items(message, [messages.unit_key(audience.unit_id)])
            chosen = list(self.store.preferences_in_unit(audience.unit_id))
            inboxes = self._households_in(audience.unit_id)
            unknown: dict[str, str] = {}
        elif audience.kind == AudienceKind.TRAINING_PARTICIPANTS:
            people = self._participants(draft.commune_id, audience)
            keys, contacts, unknown = messages.participant_recipients(people)
            self.store.add_inbox_items(message, keys)
            chosen = list(self.store.preferences_of(keys))
            chosen += [messages.contact_preferences(c, self._available) for c in contacts]
            inboxes = len(keys)
        else:
            keys, unknown = self._recipients(draft.commune_id, audience)
            self.store.add_inbox_items(message, keys)
            chosen, inboxes = list(self.store.preferences_of(keys)), len(keys)
        deliveries = [
            d for p in chosen for d in messages.deliveries_for(message, p, self._public_url)
        ]
        deliveries += [messages.undeliverable(message, k, why) for k, why in unknown.items()]
        self.store.add_deliveries(deliveries)
        return self.store.finish_fan_out(draft.id, inboxes=inboxes, unknown=len(unknown))

    def _recipients(self, commune_id: str, audience: Audience) -> tuple[list[str], dict[str, str]]:
        """The inbox keys of an audience of named people, and those who cannot be found
        (key → why)."""
        match audience.kind:
            case AudienceKind.PERSON:
                key = Owner(username=audience.username).key
                if audience.username in self._role_holders(commune_id, None):
                    return [key], {}
                missing = _("Không có cán bộ “{username}” ở xã, phường này.")
                return [], {key: missing.format(username=audience.username)}
            case AudienceKind.HOUSEHOLD:
                key = Owner(household=audience.household).key
                place = self._place(audience.household)
                if place is not None and place.commune_id == commune_id:
                    return [key], {}
                missing = _("Không tìm thấy hộ có mã {code} ở xã, phường này.")
                return [], {key: missing.format(code=audience.household)}
            case AudienceKind.ROLE:
                holders = self._role_holders(commune_id, audience.role)
                return [Owner(username=name).key for name in holders], {}
            case AudienceKind.POLL_PARTICIPANTS:
                query = {"poll_id": audience.poll_id}
                reply = HouseholdCodes.model_validate(ask(self.surveys, "poll_participants", query))
                if reply.commune_id != commune_id:
                    raise Forbidden(_("Cuộc lấy ý kiến này không thuộc xã, phường này."))
                return [Owner(household=code).key for code in reply.household_codes], {}
        raise ValueError(f"not an audience of named people: {audience.kind}")

    def _participants(self, commune_id: str, audience: Audience) -> list[Person]:
        """The people registered for the audience's course (or session), from the
        training service; Forbidden for another commune's course."""
        query = Participants(course_id=audience.course_id, session_id=audience.session_id)
        reply = ParticipantList.model_validate(
            ask(self.training, "participants", query.model_dump())
        )
        if reply.commune_id != commune_id:
            raise Forbidden(_("Khóa tập huấn này không thuộc xã, phường này."))
        return reply.people

    def _check_poll(self, commune_id: str, poll_id: str) -> None:
        """The poll is this commune's (one poll read, not its participants)."""
        poll = ask(self.surveys, "get_poll", PollRef(poll_id=poll_id).model_dump())
        if poll["commune_id"] != commune_id:
            raise Forbidden(_("Cuộc lấy ý kiến này không thuộc xã, phường này."))

    def _role_holders(self, commune_id: str, role: Role | None) -> list[str]:
        query = RoleHolders(commune_id=commune_id, role=role).model_dump()
        return Usernames.model_validate(self._ask_directory("role_holders", query)).usernames

    def _households_in(self, unit_id: str) -> int:
        query = {"unit_id": unit_id, "as_of": vietnam_day(utcnow()).isoformat()}
        return HouseholdCount.model_validate(self._ask_directory("count_households", query)).count

    def _place(self, code: str) -> HouseholdPlace | None:
        try:
            reply = self._ask_directory("household_place", HouseholdRef(code=code).model_dump())
        except NotFound:
            return None
        return HouseholdPlace.model_validate(reply)

    def _typed_inbox_keys(self, query: OpenInbox) -> list[str]:
        """An inbox's keys, counting a wrong code typed in against its sender."""
        sender = query.client_key
        if sender and self.store.code_misses(sender) >= messages.CODE_MISSES_PER_DAY:
            raise InvalidInput(
                _(
                    "Đã nhập sai mã hộ quá nhiều lần hôm nay. Vui lòng thử lại vào ngày mai, "
                    "hoặc hỏi tổ trưởng, trưởng thôn mã của hộ."
                )
            )
        try:
            return self._inbox_keys(query.owner)
        except NotFound:
            if sender:
                self.store.count_code_miss(sender)
            raise

    def _inbox_keys(self, owner: Owner) -> list[str]:
        """Raises NotFound for a household code the directory does not know."""
        return messages.owner_keys(owner, *self._units_of(owner))

    def _units_of(self, owner: Owner) -> tuple[str | None, str | None]:
        """The thôn or tổ dân phố and the commune a household lives in; none for an
        official, or for a household that moved out (what was sent to it alone stays,
        not its old commune's). NotFound for a code the directory does not know."""
        if owner.username:
            return None, None
        place = self._place(owner.household)
        if place is None:
            raise NotFound(
                _("Không tìm thấy hộ có mã {code}. Vui lòng kiểm tra lại.").format(
                    code=owner.household
                )
            )
        return (place.unit_id, place.commune_id) if place.unit_id else (None, None)

    def _language(self, owner: Owner) -> Language:
        stored = self.store.preferences(owner.key) or {}
        return Language(stored.get("language") or Language.VI)


def _audited(
    actor: str, action: str, target: str, commune_id: str, after: dict[str, Any]
) -> dict[str, Any]:
    """A staff action's audit entry, to be written with the change it records."""
    return audit_item(audit_entry(actor, action, target, commune_id, after=after))


def _inbox_item(item: dict[str, Any], language: Language, read_at: Any) -> InboxItem:
    """An inbox item as its reader sees it, named by its message's id (the item's own
    id carries the household code, which must stay out of URLs)."""
    texts = messages.stored_texts(item)
    title, body = messages.text_in(texts, language)
    return InboxItem(
        id=item["message_id"],
        title=title,
        body=body,
        link=item.get("link"),
        official=item.get("official", False),
        by_staff=Language.EN not in texts,  # staff write in Vietnamese only
        created_at=item["created_at"],
        read_at=read_at,
    )


def _sent_message(message: dict[str, Any], counts: dict[str, int]) -> SentMessage:
    title = (message["texts"].get(Language.VI.value) or [_("(không viết được)")])[0]
    return SentMessage(
        id=message["_id"],
        title=title,
        audience=message.get("audience"),
        kind=message["kind"],
        created_at=message["created_at"],
        inboxes=message.get("inboxes") or 0,
        statuses=counts,
    )


def _delivery_record(document: dict[str, Any]) -> DeliveryRecord:
    fields = {name: document.get(name) for name in DeliveryRecord.model_fields if name != "id"}
    return DeliveryRecord(id=document["_id"], **fields)
