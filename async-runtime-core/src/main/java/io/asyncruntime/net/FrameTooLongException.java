package io.asyncruntime.net;

import java.io.IOException;

/**
 * A {@link FrameReader} found no end of frame within its maximum frame size: the peer sent more
 * than the protocol allows (or is not speaking it). The stream's framing is lost; close it.
 */
public class FrameTooLongException extends IOException {

    private static final long serialVersionUID = 1L;

    /** An exception with a message that names the limit and the peer. */
    public FrameTooLongException(String message) {
        super(message);
    }
}
