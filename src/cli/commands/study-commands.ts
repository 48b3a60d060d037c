// The feedback app's commands (`serve`, `study …`), registered together in index.ts.
import type { Command } from '../command.js';
import { serveCommand } from './serve.js';
import { studyCreateCommand } from './study-create.js';
import { studyExportCommand } from './study-export.js';
import { studyRatersCommand } from './study-raters.js';
import { studySimulateCommand } from './study-simulate.js';
import { studyStatusCommand } from './study-status.js';

export const feedbackCommands: Command[] = [serveCommand, studyCreateCommand, studySimulateCommand, studyStatusCommand, studyExportCommand, studyRatersCommand];
