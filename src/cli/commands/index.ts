// Every sub-command, registered in one place.
import type { Command } from '../command.js';
import { ablateCxrCommand } from './ablate-cxr.js';
import { alignDdpoCommand } from './align-ddpo.js';
import { alignRwlCommand } from './align-rwl.js';
import { demoCommand } from './demo.js';
import { infoCommand } from './info.js';
import { evalCommand } from './eval.js';
import { feedbackCommands } from './study-commands.js';
import { initCommand } from './init.js';
import { phantomsCommand } from './phantoms.js';
import { runsCommand } from './runs.js';
import { rewardTrainCommand } from './reward-train.js';
import { studyNextCommand } from './study-next.js';
import { sampleCommand } from './sample.js';
import { trainCommand } from './train.js';

export const commands: Command[] = [demoCommand, initCommand, runsCommand, infoCommand, trainCommand, sampleCommand, evalCommand];
commands.push(...feedbackCommands);
commands.push(alignDdpoCommand, alignRwlCommand);
commands.push(rewardTrainCommand, studyNextCommand);
commands.push(phantomsCommand);
commands.push(ablateCxrCommand);
