import { workerMain } from '@gateway/platform';

/** The llm worker app: runs the queues of every llm deployment. */
workerMain('llm');
