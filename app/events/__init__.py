"""Events (活动): the event core here, one sub-package per feature, each with its own blueprint under /events.

The core: models (Event, EventSession, TicketCategory, and the Registration and Attendee every feature
reads), services (the event and its lifecycle), event_roles (who may register, manage, take part), waitlist
(seats, under the event's lock in locking), listing, calendar, forms, views (list, page, organiser's side),
exports (how every download is built) and jobs.

- registration/  registering, editing and cancelling, 我的报名, the approval queue
- checkin/       tickets (QR and short codes) and the check-in desk, with its downloads
- booths/        expo booths: layout, exhibitors' applications, the floor list
- meetings/      1:1 meetings (对接洽谈): settings, requests, booking, agenda, outcomes
- judging/       roadshow and competition judging: rubric, judges, line-up, scores, results

Dependencies point one way: the core imports no feature; a feature imports the core and, at most,
registration; checkin, booths, meetings and judging never import one another.
"""
