import * as vscode from 'vscode';

/**
 * A wizard of input boxes and quick picks with a step counter ("3/9" in the title), a Back
 * button from the second step on, and validation on every keystroke and on Enter (after the
 * multi-step sample of vscode-extension-samples, quickinput-sample/src/multiStepInput.ts).
 * Each step returns the next step, or undefined when done; Back re-runs the previous step.
 */
export type Step = (input: MultiStepInput) => Promise<Step | undefined>;

class BackSignal extends Error {}
class CancelSignal extends Error {}

export interface InputBoxStep {
  readonly title: string;
  readonly step: number;
  readonly totalSteps: number;
  readonly value: string;
  readonly prompt: string;
  readonly placeholder?: string;
  readonly password?: boolean;
  /** A sentence saying what is wrong, or undefined when the value is fine. */
  readonly validate: (value: string) => string | undefined | Promise<string | undefined>;
}

export interface QuickPickStep<T extends vscode.QuickPickItem> {
  readonly title: string;
  readonly step: number;
  readonly totalSteps: number;
  readonly items: readonly T[];
  readonly placeholder?: string;
  readonly activeItem?: T;
  /**
   * Lets the user type a value that is not in the list: called with the text typed, it returns
   * an item to offer for it (or undefined to offer nothing).
   */
  readonly custom?: (value: string) => T | undefined;
  readonly validate?: (item: T) => string | undefined;
}

export class MultiStepInput {
  private readonly history: Step[] = [];
  private current: vscode.QuickInput | undefined;

  /** Runs the wizard; resolves true when it finished, false when it was cancelled. */
  static async run(start: Step): Promise<boolean> {
    return new MultiStepInput().stepThrough(start);
  }

  private async stepThrough(start: Step): Promise<boolean> {
    let step: Step | undefined = start;
    try {
      while (step) {
        this.history.push(step);
        if (this.current) {
          // Between steps (a step may look things up first), the last input stays but waits.
          this.current.enabled = false;
          this.current.busy = true;
        }
        try {
          step = await step(this);
        } catch (err) {
          if (!(err instanceof BackSignal)) throw err;
          this.history.pop();
          step = this.history.pop();
        }
      }
      return true;
    } catch (err) {
      if (err instanceof CancelSignal) return false;
      throw err;
    } finally {
      this.current?.dispose();
    }
  }

  private show(input: vscode.QuickInput): void {
    this.current?.dispose();
    this.current = input;
    input.show();
  }

  async inputBox(p: InputBoxStep): Promise<string> {
    const disposables: vscode.Disposable[] = [];
    try {
      return await new Promise<string>((resolve, reject) => {
        const box = vscode.window.createInputBox();
        box.title = p.title;
        box.step = p.step;
        box.totalSteps = p.totalSteps;
        box.value = p.value;
        box.prompt = p.prompt;
        box.placeholder = p.placeholder;
        box.password = p.password === true;
        box.ignoreFocusOut = true;
        box.buttons = this.history.length > 1 ? [vscode.QuickInputButtons.Back] : [];
        let validating = Promise.resolve<string | undefined>(undefined);
        const check = (value: string): Promise<string | undefined> => {
          validating = Promise.resolve(p.validate(value)).then((m) => {
            if (box.value === value) box.validationMessage = m;
            return m;
          });
          return validating;
        };
        box.onDidTriggerButton((b) => b === vscode.QuickInputButtons.Back && reject(new BackSignal()), undefined, disposables);
        box.onDidChangeValue((v) => void check(v), undefined, disposables);
        box.onDidAccept(
          async () => {
            const value = box.value;
            box.enabled = false;
            box.busy = true;
            const problem = await check(value);
            box.enabled = true;
            box.busy = false;
            if (!problem) resolve(value);
          },
          undefined,
          disposables,
        );
        box.onDidHide(() => reject(new CancelSignal()), undefined, disposables);
        this.show(box);
        if (p.value) void check(p.value);
      });
    } finally {
      for (const d of disposables) d.dispose();
    }
  }

  async quickPick<T extends vscode.QuickPickItem>(p: QuickPickStep<T>): Promise<T> {
    const disposables: vscode.Disposable[] = [];
    try {
      return await new Promise<T>((resolve, reject) => {
        const pick = vscode.window.createQuickPick<T>();
        pick.title = p.title;
        pick.step = p.step;
        pick.totalSteps = p.totalSteps;
        pick.placeholder = p.placeholder;
        pick.ignoreFocusOut = true;
        pick.matchOnDescription = true;
        pick.items = p.items;
        if (p.activeItem) pick.activeItems = [p.activeItem];
        pick.buttons = this.history.length > 1 ? [vscode.QuickInputButtons.Back] : [];
        pick.onDidTriggerButton((b) => b === vscode.QuickInputButtons.Back && reject(new BackSignal()), undefined, disposables);
        if (p.custom) {
          const custom = p.custom;
          pick.onDidChangeValue(
            (value) => {
              const typed = value.trim();
              const exists = p.items.some((i) => i.label === typed);
              const extra = typed && !exists ? custom(typed) : undefined;
              pick.items = extra ? [extra, ...p.items] : p.items;
            },
            undefined,
            disposables,
          );
        }
        pick.onDidAccept(
          () => {
            const chosen = pick.selectedItems[0] ?? pick.activeItems[0];
            if (!chosen) return;
            const problem = p.validate?.(chosen);
            if (problem) {
              void vscode.window.showWarningMessage(problem);
              return;
            }
            resolve(chosen);
          },
          undefined,
          disposables,
        );
        pick.onDidHide(() => reject(new CancelSignal()), undefined, disposables);
        this.show(pick);
      });
    } finally {
      for (const d of disposables) d.dispose();
    }
  }
}
