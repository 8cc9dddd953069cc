# The page shown instead of a recording that cannot be played — English

recording-ask = Ask your ringbridge administrator for a new link.
recording-malformed-title = This is not a valid recording link
recording-malformed-text = The link may have been cut off when it was copied.
recording-altered-title = This recording link has been altered
recording-altered-text = ringbridge did not issue this link as it is, so it will not play.
recording-retired-title = This recording link is no longer accepted
recording-retired-text = It was signed with a key this server has retired.
recording-expired-title = This recording link has expired
recording-expired-text = It was valid until { $until } UTC.
recording-revoked-title = This recording link has been revoked
recording-revoked-text = An administrator withdrew access to this recording.
recording-none-title = No recording for this call
recording-none-text = ringbridge has no recording for this call.
recording-gone-title = The recording is no longer on the phone system
recording-gone-text = The phone system no longer has this recording; it may have been deleted or archived.
recording-pbx-down-title = The phone system cannot be reached
recording-pbx-down-text = ringbridge could not fetch the recording from the phone system. Try again in a few minutes.
recording-unavailable-title = Recordings are unavailable right now
recording-unavailable-text = ringbridge cannot check this link at the moment. Try again in a few minutes.
recording-disabled-title = Recording links are turned off
recording-disabled-text = An administrator turned recording links off.
recording-sign-in-title = Sign in to play this recording
recording-sign-in-text = Your administrator requires you to be signed in to ringbridge. Sign in, then open this link again.
