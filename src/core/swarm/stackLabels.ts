/** The label `docker stack deploy` puts on every object it creates: the stack's name. */
export const LABEL_STACK_NAMESPACE = 'com.docker.stack.namespace';
