"""Loaders of delivery: schedules and sessions, their rosters, disbursements and the rollups over them."""

from functools import cached_property

from strawberry.dataloader import DataLoader

from server.domain.delivery import attendance, disbursements, rollups, schedule_assignments, schedules
from server.domain.delivery.models import BenefitSchedule, BenefitSession
from server.graphql.loading import AreaLoaders, by_id, by_key, computed

NEXT_SESSIONS = 3


class DeliveryLoaders(AreaLoaders):
    @cached_property
    def schedule(self) -> DataLoader:
        return by_id(self.db, BenefitSchedule)

    @cached_property
    def session(self) -> DataLoader:
        return by_id(self.db, BenefitSession)

    @cached_property
    def sessions_of_schedule(self) -> DataLoader:
        return by_key(self.db, BenefitSession, BenefitSession.schedule_id, order=[BenefitSession.starts_at])

    @cached_property
    def next_sessions_of_facility(self) -> DataLoader:
        """The next NEXT_SESSIONS bookable sessions at each facility (the domain's rule; one statement)."""
        return computed(
            self.db, lambda session, ids: schedules.next_sessions_at(session, ids, NEXT_SESSIONS), missing=list
        )

    @cached_property
    def fullest_upcoming_of_schedule(self) -> DataLoader:
        """The largest roster among each schedule's upcoming sessions: what an enrollment from today meets."""
        return computed(self.db, schedule_assignments.fullest_upcoming, missing=lambda: None)

    @cached_property
    def enrolled_in_session(self) -> DataLoader:
        return computed(self.db, attendance.roster_lengths, missing=lambda: 0)

    @cached_property
    def revisions_of_disbursement(self) -> DataLoader:
        return computed(self.db, disbursements.revisions_of)

    def _rollup(self, compute) -> DataLoader:
        """Rollups over the disbursements the signed-in user may see (a provider: its own deliveries)."""
        scope = disbursements.visible_disbursements(self.principal)
        return computed(self.db, lambda session, ids: compute(session, ids, scope))

    @cached_property
    def attendance_of_participant(self) -> DataLoader:
        return self._rollup(lambda s, ids, scope: rollups.attendance_by(s, "participant_id", ids, scope))

    @cached_property
    def attendance_of_enrollment(self) -> DataLoader:
        return self._rollup(lambda s, ids, scope: rollups.attendance_by(s, "enrollment_id", ids, scope))

    @cached_property
    def delivery_of_referral(self) -> DataLoader:
        return self._rollup(rollups.delivery_by_referral)
