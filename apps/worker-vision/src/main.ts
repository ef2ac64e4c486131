import { workerMain } from '@gateway/platform';

/** The vision worker app: runs the queues of every vision deployment. */
workerMain('vision');
