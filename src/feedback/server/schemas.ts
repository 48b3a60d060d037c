// JSON schemas shared by the routes. Unknown properties are errors (the server's Ajv runs
// with removeAdditional: false), so a typo in a field name is a 400 that names it.
export const TOKEN_PATTERN = '^[A-Za-z0-9_-]{20,64}$';
export const PUBLIC_ID_PATTERN = '^[A-Za-z0-9_-]{16}$';

export const errorSchema = {
  type: 'object',
  properties: { statusCode: { type: 'integer' }, error: { type: 'string' }, message: { type: 'string' } },
  required: ['statusCode', 'error', 'message'],
} as const;

export const studyIdParams = {
  type: 'object',
  properties: { studyId: { type: 'integer', minimum: 1 } },
  required: ['studyId'],
  additionalProperties: false,
} as const;

export const progressSchema = {
  type: 'object',
  properties: { done: { type: 'integer' }, total: { type: 'integer' } },
  required: ['done', 'total'],
  additionalProperties: false,
} as const;

const choiceEnum = ['plausible', 'implausible', 'left', 'right', 'tie'] as const;

export const criterionSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, label: { type: 'string' } },
  required: ['id', 'label'],
  additionalProperties: false,
} as const;

export const answerBody = {
  type: 'object',
  properties: {
    assignmentId: { type: 'string', pattern: PUBLIC_ID_PATTERN },
    idempotencyKey: { type: 'string', pattern: '^[A-Za-z0-9_-]{8,128}$' },
    choice: { type: 'string', enum: choiceEnum },
    failedCriteria: { type: 'array', items: { type: 'string', maxLength: 100 }, maxItems: 50 },
    comment: { type: 'string', maxLength: 2000 },
    timeMs: { type: 'integer', minimum: 0, maximum: 86_400_000 },
  },
  required: ['assignmentId', 'idempotencyKey', 'choice'],
  additionalProperties: false,
} as const;

export const answerResponse = {
  type: 'object',
  properties: {
    assignmentId: { type: 'string' },
    choice: { type: 'string' },
    failedCriteria: { type: 'array', items: { type: 'string' } },
    duplicate: { type: 'boolean' },
    progress: progressSchema,
  },
  required: ['assignmentId', 'choice', 'failedCriteria', 'duplicate', 'progress'],
  additionalProperties: false,
} as const;

export const undoBody = {
  type: 'object',
  properties: { assignmentId: { type: 'string', pattern: PUBLIC_ID_PATTERN } },
  required: ['assignmentId'],
  additionalProperties: false,
} as const;

export const undoResponse = {
  type: 'object',
  properties: { assignmentId: { type: 'string' }, retracted: { type: 'boolean' }, progress: progressSchema },
  required: ['assignmentId', 'retracted', 'progress'],
  additionalProperties: false,
} as const;

const raterStudySchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    mode: { type: 'string' },
    status: { type: 'string' },
    progress: progressSchema,
  },
  required: ['id', 'name', 'mode', 'status', 'progress'],
  additionalProperties: false,
} as const;

export const raterStudiesResponse = {
  type: 'object',
  properties: {
    rater: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false },
    studies: { type: 'array', items: raterStudySchema },
  },
  required: ['rater', 'studies'],
  additionalProperties: false,
} as const;

// Response schemas double as a blinding filter: fast-json-stringify emits only the listed
// properties, so nothing else an item record might carry can reach a rater.
export const nextResponse = {
  type: 'object',
  properties: {
    study: {
      type: 'object',
      properties: { id: { type: 'integer' }, name: { type: 'string' }, mode: { type: 'string' }, status: { type: 'string' }, instructions: { type: 'string' } },
      required: ['id', 'name', 'mode', 'status', 'instructions'],
      additionalProperties: false,
    },
    progress: progressSchema,
    lastAnswered: { type: ['string', 'null'] },
    item: {
      type: ['object', 'null'],
      properties: {
        assignmentId: { type: 'string' },
        condition: { type: 'string' },
        checklist: { type: 'array', items: criterionSchema },
        images: {
          type: 'object',
          properties: { single: { type: 'string' }, left: { type: 'string' }, right: { type: 'string' } },
          additionalProperties: false,
        },
        previous: {
          type: ['object', 'null'],
          properties: { choice: { type: 'string' }, failedCriteria: { type: 'array', items: { type: 'string' } }, comment: { type: 'string' } },
          additionalProperties: false,
        },
      },
      required: ['assignmentId', 'condition', 'checklist', 'images', 'previous'],
      additionalProperties: false,
    },
  },
  required: ['study', 'progress', 'item', 'lastAnswered'],
  additionalProperties: false,
} as const;

export const ownAnswersResponse = {
  type: 'object',
  properties: {
    answers: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          assignmentId: { type: 'string' },
          choice: { type: 'string' },
          failedCriteria: { type: 'array', items: { type: 'string' } },
          comment: { type: 'string' },
          createdAt: { type: 'string' },
        },
        required: ['assignmentId', 'choice', 'failedCriteria', 'comment', 'createdAt'],
        additionalProperties: false,
      },
    },
  },
  required: ['answers'],
  additionalProperties: false,
} as const;

export const createStudyBody = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    mode: { type: 'string', enum: ['binary', 'pairwise'] },
    samplesDir: { type: 'string', maxLength: 1000 },
    csv: { type: 'string', maxLength: 1000 },
    imageDir: { type: 'string', maxLength: 1000 },
    raters: { anyOf: [{ type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, maxItems: 1000 }, { type: 'string', maxLength: 10000 }] },
    ratersPerItem: { type: 'integer', minimum: 1, maximum: 100 },
    goldRate: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
    seed: { type: 'integer' },
    comparisonsPerImage: { type: 'integer', minimum: 1, maximum: 20 },
    instructions: { type: 'string', maxLength: 5000 },
    checklists: {
      type: 'object',
      properties: {
        default: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 100 }, maxItems: 50 },
        byCondition: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 100 }, maxItems: 50 } },
      },
      additionalProperties: false,
    },
  },
  required: ['name', 'mode'],
  additionalProperties: false,
} as const;

export const addRatersBody = {
  type: 'object',
  properties: {
    names: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, minItems: 1, maxItems: 1000 },
    simulated: { type: 'boolean' },
  },
  required: ['names'],
  additionalProperties: false,
} as const;

export const statusBody = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['open', 'closed'] } },
  required: ['status'],
  additionalProperties: false,
} as const;
