// When a live-call event opens something, decided in one place for the agent
// panel and the browser extension (ringbridge serves this same file to the
// panel; the extension carries it, as its own code must be). Pure: no DOM,
// no chrome.* — the caller opens tabs.
'use strict';

var RingbridgePop = (() => {
  // The state of a call → the agent's setting that asks for a pop then.
  const TRIGGERS = { ringing: 'on_ringing', talking: 'on_answer', ended: 'on_hangup' };

  // The trigger this event fires, or null. A call that someone else answered
  // ends for this agent without being theirs: no hang-up pop for it.
  function triggerOf(event) {
    if (event.state === 'ended' && event.answered_elsewhere) return null;
    return TRIGGERS[event.state] || null;
  }

  // What to do for `event`, given the agent's `triggers` ({ on_ringing, ... }),
  // the triggers this call already fired (a Set, updated here), and how many
  // CRM records match the number:
  //   { open: 'none' }     nothing (trigger off, already popped, no record),
  //   { open: 'record' }   the one matching record,
  //   { open: 'chooser' }  several match: the agent chooses, nobody guesses.
  //
  // In PhoneBridge mode (`triggers.zoho_pops`) Zoho pops the call in its own
  // UI: nothing opens on top of it; the agent can still open a record.
  function decide(event, triggers, popped, matches) {
    if (triggers.zoho_pops) return { open: 'none' };
    const trigger = triggerOf(event);
    if (!trigger || !triggers[trigger] || popped.has(trigger)) return { open: 'none' };
    popped.add(trigger);
    if (matches > 1) return { open: 'chooser' };
    if (matches === 1) return { open: 'record' };
    return { open: 'none' };
  }

  // One tab per call: every pop for a call reuses the window of this name.
  function windowName(callId) {
    return 'rb-call-' + String(callId).replace(/[^A-Za-z0-9.-]/g, '');
  }

  return { TRIGGERS, triggerOf, decide, windowName };
})();

if (typeof module !== 'undefined') module.exports = RingbridgePop;
