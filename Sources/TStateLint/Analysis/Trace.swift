/// One step of the path that leads to a diagnostic ("thread state released here").
public struct TraceStep: Hashable, Codable, Sendable {
    public var location: SourceLocation
    public var message: String

    public init(location: SourceLocation, message: String) {
        self.location = location
        self.message = message
    }
}

/// The steps of one path, shared between the states that extend it.
public final class Trace: @unchecked Sendable {
    public let step: TraceStep
    public private(set) var previous: Trace?
    public let length: Int

    public init(step: TraceStep, previous: Trace?) {
        self.step = step
        self.previous = previous
        self.length = (previous?.length ?? 0) + 1
    }

    /// Releases the steps no other path shares one by one: releasing a path of 100,000
    /// steps as a chain of nested deinits would overflow the stack.
    deinit {
        var node = previous
        previous = nil
        while isKnownUniquelyReferenced(&node), let current = node {
            node = current.previous
            current.previous = nil
        }
    }

    /// The steps in order, keeping the first ones and the most recent when the path is long.
    /// Of the steps in a row at one place (the branches inside one macro's expansion), each
    /// message is said once.
    public func steps(limit: Int = 24) -> [TraceStep] {
        var reversed: [TraceStep] = []
        var node: Trace? = self
        while let current = node {
            reversed.append(current.step)
            node = current.previous
        }
        var steps: [TraceStep] = []
        var atPlace: [TraceStep] = []
        for step in reversed.reversed() {
            if let last = steps.last, last.location.line != step.location.line || last.location.column != step.location.column || last.location.file != step.location.file {
                atPlace = []
            }
            if atPlace.contains(where: { $0.message == step.message }) { continue }
            atPlace.append(step)
            steps.append(step)
        }
        guard steps.count > limit else { return steps }
        let head = limit / 3
        return Array(steps.prefix(head)) + Array(steps.suffix(limit - head))
    }
}

extension Optional where Wrapped == Trace {
    func appending(_ location: SourceLocation, _ message: String) -> Trace {
        Trace(step: TraceStep(location: location, message: message), previous: self)
    }

    func steps(limit: Int = 24) -> [TraceStep] {
        self?.steps(limit: limit) ?? []
    }
}
