# ringbridge agent panel — English

nav-panel = Calls
panel-title = Agent panel
panel-your-extension = Your extension: { $extension }
panel-no-extension = Your account has no extension yet. Ask an administrator to set one; until then no calls reach this panel.
panel-not-live = Live calls are not available: the phone system is not connected.
panel-zoho-pops = Zoho CRM shows your calls itself (PhoneBridge mode): this panel opens no tabs of its own; use "Open in Zoho" when you want a record here.
panel-offline = Offline: live calls cannot reach this page. Reconnecting…

## Pop-ups
panel-popup-blocked = Your browser blocked a screen pop.
panel-popup-how = To let ringbridge open CRM records by itself, allow pop-ups for this site: click the blocked pop-up icon at the right of the address bar and choose "Always allow pop-ups" (or add this site under Settings › Privacy › Site settings › Pop-ups).
panel-popup-fallback = Until then, ringbridge can show a desktop notification that opens the record when you click it.
panel-notify-denied = Desktop notifications are blocked for this site too, so a pop cannot reach you by itself. Allow pop-ups or notifications in the site settings (the icon left of the address bar), or open records with the "Open in Zoho" button on each call.
panel-notify-enable = Use desktop notifications
panel-dismiss = Dismiss
panel-notify-title = Incoming call

## Dialling
panel-dial-label = Number to call
panel-dial = Call
panel-dial-started = Calling: your phone rings first; answer it and the number is dialled.
panel-dial-failed = The call could not be placed:
panel-dial-refused-country = { $number } is in { $country }, and calls to that country are not allowed here. Ask an administrator if you need to call it.
panel-dial-refused-type = { $number } is a { $kind } number, and such numbers may not be dialled. Ask an administrator if you need to call it.
panel-dial-refused-prefix = Calls to { $number } are blocked by your administrator.
panel-number-kind-premium_rate = premium-rate
panel-number-kind-shared_cost = shared-cost
panel-number-kind-toll_free = toll-free
panel-number-kind-fixed_line = landline
panel-number-kind-mobile = mobile
panel-number-kind-personal_number = personal
panel-number-kind-voip = VoIP
panel-number-kind-pager = pager
panel-number-kind-uan = company (UAN)
panel-number-kind-voicemail = voicemail access
panel-call-this = Call this number

## Live calls
panel-live-title = Calls now
panel-no-calls = No calls right now.
panel-state-ringing = Ringing
panel-state-talking = Talking
panel-state-ended = Ended
panel-answered-elsewhere = Answered by a colleague
panel-unknown = Unknown caller
panel-not-linked = Not linked to the CRM yet
panel-open-in-zoho = Open in Zoho
panel-choose-record = Several records have this number. Choose one:
panel-module-Contacts = Contact
panel-module-Leads = Lead
panel-module-Accounts = Account
panel-module-Deals = Deal

## Creating records
panel-create-contact = Create contact
panel-create-lead = Create lead
panel-create-intro = The record is created in Zoho CRM with this number and the call is linked to it.
panel-first-name = First name
panel-last-name = Last name
panel-company = Company
panel-create-submit = Create
panel-cancel = Cancel
panel-created = Created in Zoho CRM.
panel-existed = This caller was already in Zoho CRM; the existing record is used (no second record was created).
panel-create-failed = The record could not be created:
panel-link-when_logged = The call will be logged against it.
panel-link-queued = The call's log now names it.
panel-link-updated = The call's log in Zoho was updated to name it.
panel-link-not_logged = This call is not logged, so there is nothing to link.
panel-link-log_failed = The call's log could not be written; an administrator can retry it.
panel-link-busy = The call's log is being written; it will be linked to the record in a moment.

## Recent calls
panel-recent-title = Recent calls
panel-no-recent = No calls yet.
panel-col-time = Time
panel-col-direction = Direction
panel-col-number = Number
panel-col-record = CRM record
panel-col-log = CRM log
panel-col-recording = Recording
panel-direction-inbound = Inbound
panel-direction-outbound = Outbound
panel-direction-internal = Internal
panel-missed = missed
panel-log-queued = Queued
panel-log-written = Logged
panel-log-failed = Failed
panel-log-not_logged = Not logged
panel-play = Play
panel-now-playing = Now playing:

## Settings
panel-settings-title = Screen pop
panel-settings-intro = Open the caller's CRM record in a new tab:
panel-pop-ringing = when a call rings
panel-pop-answer = when I answer
panel-pop-hangup = when a call ends
panel-ended-linger = Ended calls leave "Calls now" after
panel-linger-30s = 30 seconds
panel-linger-2min = 2 minutes
panel-linger-10min = 10 minutes
panel-linger-keep = never (keep the last five)
panel-saved = Saved.
panel-tel-intro = Let phone-number links (tel:) on other sites open this panel, ready to call.
panel-register-tel = Handle phone links
panel-record-hidden = A CRM record you cannot open
panel-no-crm-details = No CRM details
panel-no-crm-why = Your Zoho access was revoked or has expired, so ringbridge shows you nothing from the CRM. Sign in with Zoho again.

## Call notes
panel-add-note = Add note
panel-note-label = Note
panel-note-result = Call result
panel-note-no-result = (no result)
panel-note-save = Save note
panel-note-close = Close
panel-note-saved = Saved. It goes into this call's log in Zoho CRM: with the log, or added to it once it is written.
panel-note-busy = The previous version is still being written. Save again in a moment; your text is kept.
panel-note-failed = The note could not be saved:
panel-note-error-not_your_call = You can only add notes to calls you handled.
panel-note-error-note_empty = Write a note or pick a call result.
panel-note-error-note_too_long = The note is too long (at most 4000 characters).
panel-note-error-bad_result = This call result is not one of your CRM's values.
