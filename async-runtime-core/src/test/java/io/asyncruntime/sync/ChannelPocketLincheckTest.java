package io.asyncruntime.sync;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Param;

/**
 * {@link ChannelLincheckTest}'s operations and checks on a channel whose receiver keeps the room
 * it gives back in its pocket until it holds the whole capacity ({@link RoomPocket}; a capacity-2
 * channel of the public factory gives room back at once). So every state the pocket adds is
 * reachable: all room in the pocket while the word is empty, a trySend that must move it, a send
 * that queues while the pocket holds room, a close while room is moving.
 */
@Param(name = "v", gen = IntGen.class, conf = "1:3")
public class ChannelPocketLincheckTest extends ChannelLincheckTest {

    @Override
    Channel<Integer> newChannel() {
        return Channel.boundedWithPocketBatch(CAPACITY, CAPACITY);
    }
}
