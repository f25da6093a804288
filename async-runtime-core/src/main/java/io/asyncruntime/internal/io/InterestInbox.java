package io.asyncruntime.internal.io;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Registrations whose owners asked the driver to arm an op: a lock-free stack (one CAS per
 * push, no allocation: the link is the registration's {@code inboxNext}) that the driver takes
 * whole at each turn. A registration is pushed only by the owner whose CAS set its QUEUED bit,
 * and only the driver clears that bit, after unlinking it, so it is on the stack at most once and
 * {@code inboxNext} has one writer at a time (the pattern of the timer inbox).
 */
final class InterestInbox {

    private static final VarHandle TOP;

    static {
        try {
            TOP = MethodHandles.lookup().findVarHandle(InterestInbox.class, "top", SelectorRegistration.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through TOP
    private volatile SelectorRegistration top;

    /** Pushes {@code r} (volatile CAS: the owner's half of the wake-up handshake, see SelectorDriver). */
    void push(SelectorRegistration r) {
        SelectorRegistration head;
        do {
            head = (SelectorRegistration) TOP.getVolatile(this);
            r.inboxNext = head;
        } while (!TOP.compareAndSet(this, head, r));
    }

    /**
     * Takes every registration pushed so far, linked through {@code inboxNext}, or null. The
     * order does not matter: each one's request is in its own state word.
     */
    SelectorRegistration takeAll() {
        if (TOP.getVolatile(this) == null) {
            return null;
        }
        return (SelectorRegistration) TOP.getAndSet(this, null);
    }
}
