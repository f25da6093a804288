package io.asyncruntime.internal.io;

/** The thread-local behind {@link IoDriver#bind} and {@link IoDriver#current()}. */
final class CurrentIoDriver {

    private static final ThreadLocal<IoDriver> CURRENT = new ThreadLocal<>();

    private CurrentIoDriver() {
    }

    static IoDriver bind(IoDriver driver) {
        IoDriver previous = CURRENT.get();
        if (driver == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(driver);
        }
        return previous;
    }

    static IoDriver current() {
        IoDriver driver = CURRENT.get();
        if (driver == null) {
            throw new IllegalStateException("network I/O (TcpListener, TcpStream, UdpSocket) must run inside an "
                    + "async-runtime task on a runtime built with I/O enabled (the default; enableIo(false) turns "
                    + "it off): no I/O driver is bound to thread " + Thread.currentThread().getName());
        }
        return driver;
    }
}
