# ringbridge pages — English

## Navigation
nav-home = Home
nav-accounts = Accounts
nav-language = Language
nav-logout = Sign out

## Fields
field-username = Username
field-display-name = Display name
field-password = Password
field-password-confirm = Password again
field-role = Role
field-extension = Extension

role-admin = Administrator
role-agent = Agent

## Sign-in
login-title = Sign in to ringbridge
login-submit = Sign in
login-failed = Wrong username or password.
login-too-many = Too many failed attempts. Try again in { $minutes } minutes.

## First run
setup-title = Set up ringbridge
setup-intro = Create the administrator account. You will connect the phone system and the CRM after signing in.
setup-submit = Create administrator

## Home
home-title = Home
home-signed-in-as = Signed in as { $name }

tokens-title = Browser extension tokens
tokens-intro = The ringbridge browser extension signs in with a token. Create one for each browser, and revoke any you no longer use.
tokens-new = Copy this token into the extension now. It will not be shown again.
tokens-none = You have no tokens yet.
tokens-name = Label
tokens-prefix = Token
tokens-created = Created
tokens-last-used = Last used
tokens-never = Never
tokens-revoke = Revoke
tokens-create = Create token
tokens-default-name = Browser extension
tokens-scopes = May do
tokens-expires = Expires
tokens-no-expiry = Never
tokens-lifetime = Valid for
tokens-days = { $days } days
scope-dial = place calls (click-to-call)
scope-calls-read = see my calls (live feed, recent calls, pop settings)
scope-records-read = look numbers up in the CRM
scope-records-write = create CRM records and link calls to them

## Accounts (administrators)
accounts-title = Accounts
accounts-status = Status
accounts-active = Active
accounts-disabled = Disabled
accounts-create = New account
accounts-submit = Create account
accounts-actions = Actions
accounts-disable = Disable
accounts-enable = Enable
accounts-revoke-tokens = Revoke API tokens
accounts-delete = Delete
accounts-last-admin = The last enabled admin can be neither disabled nor deleted.
accounts-details = Sessions and tokens
tokens-none-for-account = This account has no API tokens.

## Form problems
form-username-empty = Enter a username.
form-username-long = A username has at most 64 characters.
form-username-chars = A username may use only letters a–z, digits and . _ @ -
form-username-taken = That username is taken.
form-display-name = Enter a display name of at most 100 characters.
form-password-short = A password needs at least 12 characters.
form-password-long = That password is too long.
form-password-mismatch = The two passwords differ.
form-extension = An extension is digits only (at most 16).

## Errors
error-bad-request = That request could not be understood.
error-unauthorized = Sign in first.
error-forbidden = You are not allowed to do that.
error-csrf = This form has expired or did not come from ringbridge. Go back, reload the page and try again.
error-not-found = There is nothing here.
error-too-many = Too many requests. Wait a moment and try again.
error-internal = Something went wrong on the server. Try again; if it keeps happening, tell your administrator.
error-back = Back to the home page

## Password change
password-title = Choose a new password
password-required = An administrator reset your password. Choose a new one to go on.
password-current = Current password
password-submit = Save password
password-wrong = The current password is wrong.
password-same = The new password must differ from the current one.
accounts-reset-password = Reset password
accounts-reset-done = New password for { $username }. Hand it over now: it will not be shown again, and it must be changed at the next sign-in.

## Sessions
sessions-title = Signed-in browsers
sessions-none = No browser is signed in.
sessions-created = Signed in
sessions-last-seen = Last seen
sessions-address = Address
sessions-browser = Browser
sessions-unknown = Unknown
sessions-this-browser = This browser
sessions-end = Sign out
sessions-end-others = Sign out all other browsers
sessions-end-all = Sign out everywhere

# Sign in with Zoho
zoho-signin-button = Sign in with Zoho
zoho-signin-expired = This sign-in has expired or was already used. Start again.
zoho-signin-forged = This sign-in was not started in this browser. Start again.
zoho-signin-unavailable = Signing in with Zoho is not available right now.
zoho-signin-refused = Zoho refused the sign-in: { $reason }
zoho-signin-unmapped = The Zoho user { $email } is not paired with a phone extension. Ask your administrator to pair it, then sign in again.
zoho-signin-disabled = The account of { $email } is disabled.
zoho-signin-taken = The username { $email } belongs to another account. Ask your administrator.
zoho-signout-everywhere = Sign out everywhere and revoke Zoho access
accounts-revoke-zoho = Revoke Zoho access
accounts-zoho-grant = Zoho access granted
