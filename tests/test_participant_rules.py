"""The participant rules the GraphQL type reads from the domain: age and the order alerts are read in."""

from datetime import date

from server.domain.clients.models import AlertSeverity, Participant, ParticipantAlert
from server.domain.clients.participants import age_of, in_reading_order


def test_age_counts_whole_years_and_is_unknown_without_a_birth_date():
    born = Participant(birth_date=date(1950, 6, 15))
    assert age_of(born, date(2026, 6, 14)) == 75
    assert age_of(born, date(2026, 6, 15)) == 76
    assert age_of(Participant(birth_date=None), date(2026, 6, 15)) is None


def test_alerts_read_active_first_and_otherwise_in_the_order_loaded():
    def alert(text: str, active: bool) -> ParticipantAlert:
        return ParticipantAlert(participant_id=1, text=text, severity=AlertSeverity.INFO, active=active)

    loaded = [alert("newest, lifted", False), alert("new", True), alert("old, lifted", False), alert("oldest", True)]
    assert [a.text for a in in_reading_order(loaded)] == ["new", "oldest", "newest, lifted", "old, lifted"]
