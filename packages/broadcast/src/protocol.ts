import { check } from '@streamtasks/fetch';

/** The fetch descriptor a broadcasting server answers: a list of namespaces → `{namespace: topic}`. */
export const GET_TOPICS = 'gettopics';

/** Most namespaces one `gettopics` request may name. */
export const MAX_NAMESPACES_PER_REQUEST = 1024;

export const NamespaceList = check.array(check.string(), { maxLength: MAX_NAMESPACES_PER_REQUEST });

export const NamespaceTopics = check.record(check.id());
