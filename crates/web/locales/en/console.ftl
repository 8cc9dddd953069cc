# ringbridge admin console — English

console-title = Console
console-nav-dashboard = Dashboard
console-nav-pbx = Phone system
console-nav-zoho = Zoho CRM
console-nav-mode = Mode
console-nav-users = Users
console-nav-settings = Settings

console-client-id = Client ID
console-client-secret = Client secret
console-secret-kept = Leave empty to keep the stored secret.
console-none = Nothing here.
console-error-refused = It said no: { $detail }
console-error-unreachable = It could not be reached: { $detail }
console-error-not-ready = Not possible yet: { $detail }

## Phone system
console-pbx-title = Connect the phone system
console-pbx-intro = Enter the address of the Yeastar PBX and the client of its API (Integrations → API on the PBX).
console-pbx-url = PBX address
console-pbx-insecure = Accept a self-signed certificate
console-pbx-test = Test connection
console-pbx-save = Test and save
console-pbx-tested = The connection works.
console-pbx-saved = The connection works and is saved.
console-pbx-model = Model
console-pbx-version = Firmware
console-pbx-extensions = Extensions
console-pbx-bad-url = Enter the PBX address as https://host:port.
console-pbx-bad-client-id = Enter the API client ID.
console-pbx-need-secret = Enter the API client secret.

## Zoho
console-zoho-title = Connect Zoho CRM
console-zoho-intro = Pick your Zoho data centre and enter the client you registered in Zoho's API console. You will be asked to allow ringbridge access on Zoho's own page.
console-zoho-redirect = Register this redirect URI with the client:
console-zoho-centre = Data centre
console-zoho-connect = Connect to Zoho
console-zoho-connected = Connected to Zoho ({ $domain }).
console-zoho-denied = Zoho did not grant access. Try again and allow access on Zoho's page.
console-zoho-continue = Continue to Zoho
console-zoho-continue-help = The client is saved. Allow ringbridge access on Zoho's page:
console-zoho-bad-centre = Pick a data centre.
console-zoho-bad-client-id = Enter the Zoho client ID.
console-zoho-need-secret = Enter the Zoho client secret.

## Mode
console-mode-title = How calls reach the CRM
console-mode-rest = REST call logs
console-mode-rest-help = ringbridge writes every call into Zoho's Calls module. Works with every edition.
console-mode-phonebridge = Zoho PhoneBridge
console-mode-phonebridge-help = Zoho shows its own call bar and pop-ups, lets users click to dial, and logs the calls itself.
console-mode-current = Calls reach the CRM by: { $mode }
console-mode-save = Save mode
console-mode-pick = Pick a mode.

## Users
console-users-title = Users and extensions
console-users-intro = Extensions are matched to Zoho users by e-mail. Pick a user to pair an extension by hand.
console-users-name = Name on the PBX
console-users-email = E-mail
console-users-user = Zoho user
console-users-auto = Match by e-mail
console-users-save = Save
console-users-matched = Matched by e-mail: { $name }
console-users-manual = Paired by hand: { $name }
console-users-none = No Zoho user
console-users-unknown = That Zoho user does not exist or is inactive.

## Settings
console-settings-title = Settings
console-settings-saved = Settings saved.
console-settings-save = Save settings
console-settings-logged = Calls logged
console-settings-inbound-answered = Inbound, answered
console-settings-inbound-missed = Inbound, missed
console-settings-outbound-answered = Outbound, answered
console-settings-outbound-unanswered = Outbound, not answered
console-settings-internal = Internal
console-settings-voicemail = Voicemail
console-settings-min-talk = Skip answered calls shorter than (seconds)
console-settings-templates = Subject and description
console-settings-placeholders = Placeholders: {"{"}direction{"}"} {"{"}number{"}"} {"{"}name{"}"} {"{"}extension{"}"} {"{"}agent{"}"} {"{"}duration{"}"} {"{"}call_id{"}"} {"{"}via{"}"} {"{"}started_at{"}"}
console-settings-subject = Subject
console-settings-description = Description
console-settings-pop = Screen pop (default for agents)
console-settings-pop-ringing = When the phone rings
console-settings-pop-answer = When the call is answered
console-settings-pop-hangup = When the call ends
console-settings-unknown = Numbers the CRM does not know
console-settings-unknown-inbound = Inbound calls
console-settings-unknown-outbound = Outbound calls
console-settings-unknown-nothing = Log the call only
console-settings-unknown-contact = Create a Contact
console-settings-unknown-lead = Create a Lead
console-settings-numbers = Numbers and contacts
console-settings-phonebook = PBX phonebook for CRM contacts (empty: no contact sync)
console-settings-country = Default country (two letters, e.g. US)
console-settings-recording = Recording links in call logs
console-settings-recording-until-revoked = Links valid until revoked
console-settings-recording-expire = Links that expire
console-settings-recording-off = No links
console-settings-recording-days = Days until links expire
console-settings-recording-sign-in = Playing a recording also requires signing in to ringbridge
console-settings-bad-min-talk = Enter the shortest talk time as whole seconds (at most 3600).
console-settings-bad-subject = The subject is empty or uses an unknown placeholder.
console-settings-bad-description = The description uses an unknown placeholder.
console-settings-bad-unknown = Pick what happens with unknown numbers.
console-settings-bad-phonebook = A phonebook name has at most 64 characters.
console-settings-bad-country = Enter a country as two letters, e.g. US or DE.
console-settings-bad-recording = Links that expire need a number of days between 1 and 3650.

## Dashboard
console-setup = Setup
console-step-pbx = Connect the phone system
console-step-zoho = Connect Zoho CRM
console-step-mode = Choose the mode
console-step-users = Check users and extensions
console-setup-complete = Setup is complete.
console-links = Connections
console-link-pbx = Phone system
console-link-crm = Zoho CRM
console-link-not-configured = Not configured
console-link-starting = Starting
console-link-connected = Connected
console-link-failed = Failing: { $detail }
console-link-reconnect = Reconnect needed: { $detail }
console-link-reconnect-why = Zoho no longer accepts ringbridge's authorization. Calls wait in the queue and are written once Zoho is connected again.
console-link-reconnect-action = Reconnect Zoho
console-jobs = Sync jobs
console-jobs-pending = Waiting
console-jobs-failed = Failed
console-jobs-done = Done
console-job-kind = Job
console-job-what = What
console-job-error = Error
console-job-attempts = Attempts
console-job-next = Next attempt
console-job-retry = Retry
console-job-process-call = Process a call
console-job-write-call-log = Write a call log
console-job-create-record = Create a record
console-job-sync-phonebook = Sync the phonebook
console-job-notify-phonebridge = Notify PhoneBridge
console-calls = Recent calls
console-call-when = When
console-call-written = Written to
console-call-in-crm = Zoho Calls record { $id }
console-call-in-phonebridge = Zoho PhoneBridge (call { $id })
console-writes = Recent writes
console-write-failed = Failed
