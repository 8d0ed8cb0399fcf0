/** A topic's state as delivered by {@link InTopic.recvDataControl}, in order with the data. */
export class TopicControlData {
  constructor(readonly paused: boolean) {}
}
