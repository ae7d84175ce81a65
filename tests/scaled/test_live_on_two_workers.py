"""The live behaviour of tests/integration again, with the screens and the requests spread
over two workers that share one PostgreSQL database and Redis: every socket sees every
change once and in order, whichever worker made it. (The per-token card limit counts per
worker, so its test stays in tests/integration.)"""

from tests.integration.test_board import (  # noqa: F401 - collected here again
    test_board_changes_reach_json_sockets_without_the_author,
    test_results_are_hidden_from_phones_and_projector_until_revealed,
    test_two_taps_at_once_at_the_budget_edge_place_one_dot,
)
from tests.integration.test_cards import (  # noqa: F401
    test_identical_posts_at_once_store_one_card,
    test_pages_get_the_card_as_escaped_fragments,
    test_twenty_writers_two_hundred_cards_each_twice_reach_the_projector_once,
)
from tests.integration.test_hall import (  # noqa: F401
    test_five_hundred_cards_from_twenty_writers_reach_a_phone_once_each_in_order,
)
from tests.integration.test_live import (  # noqa: F401
    test_html_views_get_fragments_by_id,
    test_participants_are_announced_to_the_facilitator_only_by_name,
    test_pings_get_the_server_clock,
    test_three_clients_see_a_start,
)
