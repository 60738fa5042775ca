/** One person as the picker lists them. */
export interface PickOption {
  id: number;
  name: string;
  employeeCode: string;
  departmentName: string | null;
}

/** What a picker needs to render itself again (sent along with its search so a choice can re-render it). */
export interface PickerConfig {
  id: string;
  label: string;
  /** The text field's name (the form's existing person field). */
  name: string;
  required?: boolean;
  placeholder?: string;
}

export interface PersonPickerProps extends PickerConfig {
  /** What is in the text box: a typed name or code, or the chosen person's name. */
  value?: string;
  /** The chosen person's id (the hidden `personId` field). */
  personId?: number | string;
  error?: string;
}

export const PICK_PATH = "/people/pick";

function configOf(p: PickerConfig): PickerConfig {
  return { id: p.id, label: p.label, name: p.name, required: p.required, placeholder: p.placeholder };
}

/**
 * A person field that takes a name or an employee code. With htmx, typing lists the matching people
 * (name, code, department) and choosing one fills the hidden `personId`; without JavaScript the
 * server resolves the typed code or the exact, unique name on submit.
 */
export function PersonPicker(props: PersonPickerProps) {
  const { id, label, name, required, placeholder, value, personId, error } = props;
  const results = `${id}-results`;
  const hint = `${id}-hint`;
  // Re-rendered with a problem (an ambiguous name): list the matches straight away.
  const trigger = error && value ? "load, input changed delay:250ms" : "input changed delay:250ms";
  return (
    <div class="person-picker" id={`${id}-picker`}>
      <label for={id}>{label}</label>
      <input
        id={id}
        name={name}
        type="search"
        value={value ?? ""}
        placeholder={placeholder}
        required={required}
        maxlength={200}
        autocomplete="off"
        spellcheck={false}
        aria-controls={results}
        aria-describedby={error ? `${hint} ${id}-error` : hint}
        aria-invalid={error ? "true" : undefined}
        hx-get={PICK_PATH}
        hx-trigger={trigger}
        hx-target={`#${results}`}
        hx-swap="innerHTML"
        hx-vals={JSON.stringify({ pick: JSON.stringify(configOf(props)) })}
      />
      <input type="hidden" name="personId" value={personId === undefined ? "" : String(personId)} />
      <small class="muted pick-hint" id={hint}>
        Name or employee code
      </small>
      <div id={results} class="pick-results" aria-live="polite"></div>
      {error && (
        <div class="field-error" id={`${id}-error`}>
          {error}
        </div>
      )}
    </div>
  );
}

/** The search results under a picker: one button per person, which puts that person in the picker. */
export function PersonPickResults({ config, q, people, more }: { config: PickerConfig; q: string; people: PickOption[]; more: boolean }) {
  if (!q.trim()) return <></>;
  if (!people.length) return <p class="muted">Nobody matches “{q.trim()}”.</p>;
  const pick = JSON.stringify(configOf(config));
  return (
    <>
      <ul class="pick-list" aria-label={`People matching ${q.trim()}`}>
        {people.map((p) => (
          <li>
            <button
              type="button"
              class="pick-option secondary"
              hx-get={`${PICK_PATH}?${new URLSearchParams({ choose: String(p.id), pick })}`}
              hx-target={`#${config.id}-picker`}
              hx-swap="outerHTML"
            >
              <strong>{p.name}</strong> <span class="muted">{p.employeeCode}</span>
              {p.departmentName && <span class="muted"> · {p.departmentName}</span>}
            </button>
          </li>
        ))}
      </ul>
      {more && <p class="muted">More match: type more of the name.</p>}
    </>
  );
}
