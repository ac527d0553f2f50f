// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title ReentrantPaymentToken
/// @notice A hostile payment token for tests: on every transfer it calls back into a chosen contract with chosen
///         calldata (for example the Marketplace's `buyAndOrder`) before moving any balance, and records whether the
///         call succeeded and what it returned, instead of reverting, so a test can see both that the re-entry was
///         refused and that the outer operation still moved exactly the expected amounts.
contract ReentrantPaymentToken is ERC20Permit {
    /// @notice A re-entry was attempted from inside a transfer.
    event ReentryAttempted(address indexed target, bool success, bytes returnData);

    address public target;
    bytes public callData;
    uint256 public attempts;
    bool public lastSuccess;
    bytes public lastReturnData;
    bool private _inAttack;

    constructor() ERC20("Hostile", "HOST") ERC20Permit("Hostile") {}

    /// @notice Anyone may mint (test only).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arms the token: every later transfer first calls `target_` with `callData_` (once per transfer, never
    ///         recursively). A zero target disarms it.
    function arm(address target_, bytes calldata callData_) external {
        target = target_;
        callData = callData_;
    }

    /// @notice Approves `spender` on behalf of this token contract (it is the re-entering caller, so it must be able to
    ///         pay if a re-entry were let through).
    function approveFromSelf(address token, address spender, uint256 amount) external {
        ERC20(token).approve(spender, amount);
    }

    /// @notice Makes the armed call directly, outside any transfer: the control experiment showing the call itself
    ///         would succeed, so a refusal during a transfer is the reentrancy guard's doing.
    function fire() external {
        (bool success, bytes memory returnData) = target.call(callData);
        attempts += 1;
        lastSuccess = success;
        lastReturnData = returnData;
        emit ReentryAttempted(target, success, returnData);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (target != address(0) && !_inAttack && from != address(0)) {
            _inAttack = true;
            (bool success, bytes memory returnData) = target.call(callData);
            _inAttack = false;
            attempts += 1;
            lastSuccess = success;
            lastReturnData = returnData;
            emit ReentryAttempted(target, success, returnData);
        }
        super._update(from, to, value);
    }
}
