from tests.test_portal import *  # noqa
from tests.test_portal import server, api, browser  # noqa

def test_dbg(browser, server, api):
    context = browser.new_context(base_url=server, locale="en-US", timezone_id="Asia/Tokyo")
    page = context.new_page()
    sign_in(page, ASHLEY)
    print(page.evaluate("[Intl.DateTimeFormat().resolvedOptions().timeZone, new Date().toString(), new Intl.DateTimeFormat('en-US', {dateStyle:'medium', timeStyle:'short'}).format(new Date())]"))
    print(page.locator("li.referral .meta").all_inner_texts()[:3])
    print(api(ASHLEY, "query { referrals(first: 3) { nodes { sentAt } } }"))
    context.close()
