/* Editor side of the block hushbook/booking: plain JS against WordPress's globals
 * (wp.blocks, wp.element, wp.blockEditor, wp.components, wp.i18n), no build step.
 * The page shows the widget (rendered by render.php); the editor shows a placeholder
 * and the three settings. Title, icon and attributes come from block.json. */
( function ( blocks, element, blockEditor, components, i18n ) {
	'use strict';

	var el = element.createElement;
	var __ = i18n.__;

	function positiveId( value ) {
		var n = parseInt( value, 10 );
		return n > 0 ? n : undefined;
	}

	function summary( attributes ) {
		var parts = [];
		if ( attributes.service ) {
			/* translators: %d: a service id */
			parts.push( i18n.sprintf( __( 'Service %d preselected', 'hushbook' ), attributes.service ) );
		}
		if ( attributes.staff ) {
			/* translators: %d: a team member id */
			parts.push( i18n.sprintf( __( 'Team member %d preselected', 'hushbook' ), attributes.staff ) );
		}
		if ( attributes.language === 'de' ) {
			parts.push( __( 'Language: German', 'hushbook' ) );
		} else if ( attributes.language === 'en' ) {
			parts.push( __( 'Language: English', 'hushbook' ) );
		}
		return parts.join( ' · ' );
	}

	blocks.registerBlockType( 'hushbook/booking', {
		edit: function ( props ) {
			var attributes = props.attributes;
			var setAttributes = props.setAttributes;
			return el(
				element.Fragment,
				null,
				el(
					blockEditor.InspectorControls,
					null,
					el(
						components.PanelBody,
						{ title: __( 'Booking settings', 'hushbook' ) },
						el( components.TextControl, {
							label: __( 'Service ID (optional)', 'hushbook' ),
							help: __( 'Preselects this service. Leave empty to let visitors choose.', 'hushbook' ),
							type: 'number',
							min: 1,
							value: attributes.service || '',
							onChange: function ( value ) {
								setAttributes( { service: positiveId( value ) } );
							},
						} ),
						el( components.TextControl, {
							label: __( 'Team member ID (optional)', 'hushbook' ),
							help: __( 'Only works when the salon shows staff names.', 'hushbook' ),
							type: 'number',
							min: 1,
							value: attributes.staff || '',
							onChange: function ( value ) {
								setAttributes( { staff: positiveId( value ) } );
							},
						} ),
						el( components.SelectControl, {
							label: __( 'Language', 'hushbook' ),
							value: attributes.language || '',
							options: [
								{ label: __( 'As in the plugin settings', 'hushbook' ), value: '' },
								{ label: __( 'German', 'hushbook' ), value: 'de' },
								{ label: __( 'English', 'hushbook' ), value: 'en' },
							],
							onChange: function ( value ) {
								setAttributes( { language: value } );
							},
						} )
					)
				),
				el(
					'div',
					blockEditor.useBlockProps(),
					el( components.Placeholder, {
						icon: 'calendar-alt',
						label: __( 'Hushbook booking', 'hushbook' ),
						instructions: __( 'Visitors book an appointment here. The booking form appears on the published page.', 'hushbook' ),
					}, summary( attributes ) )
				)
			);
		},
		save: function () {
			return null; // Rendered on the server (render.php).
		},
	} );
} )( window.wp.blocks, window.wp.element, window.wp.blockEditor, window.wp.components, window.wp.i18n );
