// An ordered list of child modules registered under "0", "1", … so state-dict
// keys read like PyTorch's nn.ModuleList ("down.3.res.conv1.weight").
import { Module } from '../engine/index.js';

export class ModuleList<M extends Module> extends Module {
  readonly items: M[];
  constructor(items: M[]) {
    super();
    this.items = items.map((m, i) => this.child(String(i), m));
  }
  get length(): number {
    return this.items.length;
  }
}
