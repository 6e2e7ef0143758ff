"""What happened, for the features that react to it: the kernel's signals (blinker, the signal
library Flask's own signals use).

The feature that acts sends; the features that care subscribe. The sender does not know its
listeners, so a new feature (reports, a municipality portal) subscribes without editing the
feature it follows, and the import graph stays a set of layers (tests/kernel/test_architecture.py).

How every signal here behaves:
- `signal.send(sender, session=..., actor=..., **extra)`: the sender is the object the event is
  about (the invoice, the trajectory, ...); `session` is the SQLAlchemy session of the change,
  `actor` the `tenants.actor.Actor` who made it. Keyword arguments are listed per signal.
- Receivers run synchronously, INSIDE the sender's transaction and tenant, after the sender has
  flushed its change. A receiver flushes and never commits, like any service. When a receiver
  raises, the exception reaches the sender's caller, which rolls back: the sender's change and
  every receiver's change go together or not at all (a budget is credited exactly when the
  invoice is paid). A receiver may raise a DomainError to refuse the whole change in Dutch.
- Receivers are connected explicitly at start-up: each feature that listens has a
  `subscribers.py` whose `connect()` `create_app()` calls (app.py `register_subscribers`), so
  the web app, the CLI and jobs (which all build the app through `create_app`) react alike.
  `connect()` may run more than once (one per app built): blinker keeps one registration per
  receiver.
- Work that must not run inside the transaction (mail, calls to other services) is not done in a
  receiver: a receiver queues a job instead.

Each signal's `doc` below says what it carries and who subscribes; ARCHITECTURE.md lists the
same (keep them in step).
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

invoice_sent = _signals.signal("invoice-sent", doc="""
An invoice or credit note got its number and was issued (it can no longer change).
Sender: the Invoice. Carries: session, actor.
Subscribers: reports (adds the total excl. VAT to the invoiced, or for a credit note the
credited, amount of its issue date).""")

invoice_paid = _signals.signal("invoice-paid", doc="""
An invoice is settled in full: by payments, or by payments and a credit note together.
Sent once per invoice, when its status becomes PAID.
Sender: the Invoice. Carries: session, actor.
Subscribers: budgets (credits the earnings of its lines to the participants' training budgets
under the tenant's allocation rule, once per invoice).""")

payment_registered = _signals.signal("payment-registered", doc="""
Money was received on an invoice (by hand, bank statement import or Stripe), in part or in full;
sent before invoice_paid when the payment settles the invoice.
Sender: the Payment. Carries: session, actor, invoice.
Subscribers: reports (adds the amount to the money received on its payment date).""")

payment_refunded = _signals.signal("payment-refunded", doc="""
Money registered as received on an invoice was paid back (a refund through Stripe), in part or
in full; sent once per amount refunded (a repeated or late refund event sends nothing).
Sender: the Payment. Carries: session, actor, invoice (the paid Invoice, now with less paid),
amount_cents (this refund, > 0), key (unique per refund step, for idempotent receivers).
Subscribers: budgets (takes back the refunded share of what the paid invoice put in budgets,
like a credit note).""")

credit_note_issued = _signals.signal("credit-note-issued", doc="""
A credit note was issued against an invoice. Sent before invoice_paid of the original when the
credit note settles it, so that what is credited is reversed before anything is allocated.
Sender: the credit note (an Invoice of kind CREDIT_NOTE). Carries: session, actor, original
(the credited Invoice).
Subscribers: budgets (reverses what the credited lines had put in budgets).""")

hours_approved = _signals.signal("hours-approved", doc="""
Time entries became approved: a supervisor approved submitted hours or a correction, or entries
were approved as they were stored (staff approving at once in the form or the week grid, or a
participant's own hours in a tenant that needs no approval). One send for all entries approved
together; every approved entry is sent exactly once (approved entries never change again).
Sender: None. Carries: session, actor, entries (the TimeEntry rows).
Subscribers: reports (adds the minutes to the approved hours of their work date and type).""")

trajectory_ended = _signals.signal("trajectory-ended", doc="""
A trajectory ended with an outcome (uitstroom).
Sender: the Trajectory. Carries: session, actor.
Subscribers: budgets (under the "naar de pot" rule, the participant's unspent budget moves to the
pool when this was their last running trajectory); reports (counts the outflow on its outcome
date, kind and outcome).""")

participant_erased = _signals.signal("participant-erased", doc="""
A participant was anonymised on request (AVG art. 17): the participant's own fields are cleared.
Sender: the Participant. Carries: session, actor.
Subscribers: hours (clears the free text of their time entries), budgets (clears the motivation
and decline reason of their course proposals).""")

draft_deleting = _signals.signal("draft-deleting", doc="""
A draft invoice is about to be deleted: its billed hours are released, its lines and the invoice
row are still there. Sent so that rows referring to it let go first (a foreign key would refuse).
Sender: the Invoice (a draft). Carries: session, actor.
Subscribers: punchcards (a punch card sold on the draft stays sold, without an invoice).""")

ALL = (draft_deleting, invoice_sent, invoice_paid, payment_registered, payment_refunded,
       credit_note_issued,
       hours_approved, trajectory_ended, participant_erased)
