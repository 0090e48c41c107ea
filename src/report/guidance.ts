/** Operator wording shared by every format: cause guidance, next step and repair guidance. */

/** What to inspect before any repair, per cause code. */
const causeGuidance: Readonly<Record<string, string>> = {
  unexpected_projection_value:
    'site_status or the expected status is outside the v1 values 0, 1 and 2; inspect the site row and repair it by hand in a reviewed change',
  multiple_open_http_events:
    'the site has more than one open HTTP event and the projection follows the worst open state; inspect the duplicate open events before touching the site row',
  stale_legacy_down_projection:
    'the legacy site row still reports downtime even though no open HTTP downtime event requires it; inspect recent close transitions before setting the projection back to running',
  missing_confirmed_down_projection:
    'an open Down event exists but the legacy site row still reports running; inspect the eventstore transaction path before continuing rollout',
  missing_seems_down_projection:
    'an open Seems Down event exists but the legacy site row still reports running; inspect first-failure projection writes and local retry handling',
  missing_confirmed_promotion:
    'the open event reached Down but the legacy site row stayed at seems down; inspect verifier-confirmed promotion writes',
  stale_confirmed_down_projection:
    'the legacy site row reports confirmed down while the open event is only Seems Down; inspect recovery and false-alarm transitions',
  // The monitor's label; unreachable here (the drift statements' cause rules in sql/v6/ say why), kept for compatibility.
  unexpected_open_event_projection:
    'an open event state does not map onto the legacy projection; inspect the event row, its transitions and the site row before any repair',
};

/** Guidance for a cause code; an unknown code (a newer query version) still gets a safe instruction. */
export function guidanceFor(cause: string): string {
  return causeGuidance[cause] ?? 'unrecognised cause; inspect the event rows and the site row before any repair';
}

/** The step an operator takes first when drift is found. */
export const nextStep =
  'review the summary first, then inspect listed event rows before making any site_status repair';

/** The tool never repairs: this is what it asks for instead. */
export const repairMode = 'manual_confirmation_required';

/** How a repair must be done once the operator has confirmed the events. */
export const repairGuidance =
  'confirm the authoritative event rows first; then repair the legacy site_status projection inside a reviewed DB change or by rerunning the code path that writes the event and projection together';

/**
 * The count-changed warning's note, in the monitor's words, which grep scripts match. Here the count and
 * the groups come from the same sites read in one snapshot, which cannot see data move, so a mismatch
 * means the reading is wrong.
 */
export const countChangedNote = 'drift changed while the report was running; rerun projection-drift before repair';
