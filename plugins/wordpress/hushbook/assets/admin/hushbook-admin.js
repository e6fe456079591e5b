/* Settings → Hushbook: the "Test connection" button. Texts come translated from
 * PHP (wp_localize_script, admin-ajax answer) and are shown with textContent. */
( function () {
	'use strict';

	var settings = window.hushbookAdmin;
	var button = document.getElementById( 'hushbook-test' );
	var list = document.getElementById( 'hushbook-test-result' );
	if ( ! settings || ! button || ! list ) {
		return;
	}

	function show( lines ) {
		list.textContent = '';
		lines.forEach( function ( line ) {
			var item = document.createElement( 'li' );
			var mark = line.ok === true ? '\u2714 ' : line.ok === false ? '\u2718 ' : '';
			item.textContent = mark + line.text;
			if ( line.ok === true ) {
				item.style.color = '#00701a';
			} else if ( line.ok === false ) {
				item.style.color = '#b32d2e';
			}
			list.appendChild( item );
		} );
	}

	button.addEventListener( 'click', function () {
		var body = new URLSearchParams();
		body.append( 'action', settings.action );
		body.append( 'nonce', settings.nonce );
		button.disabled = true;
		show( [ { ok: null, text: settings.testing } ] );
		fetch( settings.ajaxUrl, { method: 'POST', credentials: 'same-origin', body: body } )
			.then( function ( res ) {
				return res.json();
			} )
			.then( function ( answer ) {
				show( answer && answer.success ? answer.data.lines : [ { ok: false, text: settings.failed } ] );
			} )
			.catch( function () {
				show( [ { ok: false, text: settings.failed } ] );
			} )
			.then( function () {
				button.disabled = false;
			} );
	} );
} )();
