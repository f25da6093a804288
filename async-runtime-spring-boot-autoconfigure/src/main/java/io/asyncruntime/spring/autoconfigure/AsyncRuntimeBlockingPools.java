package io.asyncruntime.spring.autoconfigure;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.BlockingLimits;
import io.asyncruntime.BlockingPool;

/**
 * The named blocking pools of the context's runtime (the auto-configured one, or the
 * application's if it defines a single one), created at startup from
 * {@code async.runtime.blocking.pools.<name>.*}:
 *
 * <pre>{@code
 * JoinHandle<Order> order = pools.get("jdbc").spawnBlocking(() -> repository.load(id));
 * }</pre>
 */
public final class AsyncRuntimeBlockingPools {

    private final Map<String, BlockingPool> pools;

    /**
     * Creates the pools on a runtime.
     * @param runtime the runtime the pools belong to; not null, running
     * @param limits each pool's limits, by name; not null
     */
    public AsyncRuntimeBlockingPools(AsyncRuntime runtime, Map<String, BlockingLimits> limits) {
        Map<String, BlockingPool> created = new LinkedHashMap<>();
        limits.forEach((name, poolLimits) -> created.put(name, runtime.blockingPool(name, poolLimits)));
        this.pools = Collections.unmodifiableMap(created);
    }

    /**
     * The pool called {@code name}.
     * @param name the pool's name, as configured; not null
     * @return the pool; never null
     * @throws IllegalArgumentException if no pool of that name is configured; the message lists
     * the configured ones
     */
    public BlockingPool get(String name) {
        BlockingPool pool = this.pools.get(name);
        if (pool == null) {
            throw new IllegalArgumentException("No blocking pool '" + name + "': the configured pools (async.runtime."
                    + "blocking.pools.<name>) are " + this.pools.keySet());
        }
        return pool;
    }

    /**
     * Every configured pool.
     * @return the pools by name, in configuration order; never null, unmodifiable
     */
    public Map<String, BlockingPool> asMap() {
        return this.pools;
    }

}
