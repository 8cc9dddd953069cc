# Confirmations, questions and the console's later pages — English

## What the previous click did (one line on the next page)
flash-mode = Mode saved. Now check which CRM user each extension logs calls for.
flash-user = Extension paired with the chosen CRM user.
flash-user-auto = Extension back to matching by e-mail.
flash-zoho = Zoho CRM connected. Now choose the mode.
flash-link-revoked = Recording link revoked.
flash-key-rotated = Signing key rotated: every earlier recording link is dead.
flash-account-created = Account created.
flash-account-saved = Account saved.
flash-account-disabled = Account disabled: its sessions and API tokens are ended.
flash-account-enabled = Account enabled.
flash-account-deleted = Account deleted.
flash-tokens-revoked = The account's API tokens are revoked.
flash-session-ended = Session ended.
flash-token-revoked = API token revoked.
flash-zoho-revoked = Zoho access revoked for this account.

console-cancel = Cancel

## Disconnecting Zoho asks first
console-zoho-disconnect-title = Disconnect Zoho CRM?
console-zoho-disconnect-question = ringbridge stops writing to the Zoho CRM at { $domain } and Zoho revokes its access.
console-zoho-disconnect-yes = Yes, disconnect Zoho

## Setup is complete only when every extension logs for an active user
console-users-unmapped-count = Extensions without a Zoho user: { $count }. Their calls are logged for nobody.
console-users-inactive-count = Extensions paired with a user Zoho lists as inactive: { $count }.
console-users-inactive = Inactive at Zoho: { $name }
console-users-unchecked = The users could not be checked: { $detail }
console-setup-incomplete = Setup is not complete yet: some extensions log calls for nobody.
console-setup-incomplete-fix = Pair them

## Accounts: the extension comes from the PBX's list
accounts-extension-none = — none —
accounts-extension-not-on-pbx = not on the PBX
accounts-extension-taken-by = already { $username }'s
accounts-extension-unknown = Extension { $extension } is not on the phone system (it has { $count } extensions). Pick one from the list.
accounts-extension-taken = Extension { $extension } is already { $username }'s. Each extension belongs to one account.
accounts-extension-unread = The phone system's extensions could not be read, so any digits are accepted: { $detail }
accounts-extension-shared = also { $username }'s
accounts-edit = Edit
accounts-edit-title = Edit the account
accounts-edit-save = Save changes
accounts-last-admin-role = The last enabled administrator must stay an administrator.

## Copy buttons; the browser extension on the home page
copy = Copy
copy-done = Copied
copy-failed = Select and copy it by hand
home-extension-title = Browser extension
home-extension-intro = Click-to-call on Zoho CRM pages, and screen pops while the panel is closed (Chrome, Edge, other Chromium browsers).
home-extension-download = Download the extension (.zip)
home-extension-step-unzip = Unzip it into a folder you keep.
home-extension-step-load = Open chrome://extensions, turn on Developer mode, click "Load unpacked" and choose that folder.
home-extension-step-token = Create a token below, open the extension's options, and enter this server's address and the token.

## Zoho: an accounts server typed in
console-zoho-custom = Other accounts server
console-zoho-custom-url = Accounts server address
console-zoho-custom-help = For a Zoho data centre not listed, or the Zoho simulator (ringbridge sim zoho prints its accounts server). HTTPS, or http:// on this machine only.
console-zoho-custom-missing = Enter the accounts server address, e.g. https://accounts.zoho.com.
console-zoho-custom-bad = The accounts server must be a plain address like https://accounts.zoho.com (no user name, query or fragment).
console-zoho-custom-https = The accounts server must use https:// (http:// is accepted only for 127.0.0.1 or localhost): the client secret is sent to it.

## The dashboard in PhoneBridge mode
console-pb-users = Users at Zoho PhoneBridge
console-pb-state = At Zoho
console-pb-registered = Registered: Zoho's call bar dials through ringbridge
console-pb-not-registered = Not registered: Zoho refused or was not asked yet (see the log)
console-pb-call-received = Call from { $number } to extension { $extension }
console-pb-call-dialed = Call from extension { $extension } to { $number }
console-pb-call-missed = Missed call from { $number } at extension { $extension }
